using System.CommandLine;
using MailRecovery.Cli.Common;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>mailrecovery snapshot create|list|verify|restore|check</c>: the helpdesk's data, backed up and put back the vendor's way.</summary>
internal static class SnapshotCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("snapshot", "Back up the helpdesk's data directories with owner and permissions (tar + manifest), restore them by replacement, check owner and mode.");
        command.Subcommands.Add(SnapshotCreateCommand.Create(cli));
        command.Subcommands.Add(SnapshotListCommand.Create(cli));
        command.Subcommands.Add(SnapshotVerifyCommand.Create(cli));
        command.Subcommands.Add(SnapshotRestoreCommand.Create(cli));
        command.Subcommands.Add(SnapshotCheckCommand.Create(cli));
        return command;
    }
}
