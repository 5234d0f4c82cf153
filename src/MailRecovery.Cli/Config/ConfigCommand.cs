using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Configuration.Check;

namespace MailRecovery.Cli.Config;

/// <summary><c>mailrecovery config check</c>: find a wrong key, password, CA or mailbox before the first night, not in it.</summary>
internal static class ConfigCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("config", "Check the configuration file.");
        command.Subcommands.Add(Check(cli));
        return command;
    }

    private static Command Check(CliContext cli)
    {
        var config = new Option<string>("--config", "-c") { Description = "The configuration file to check.", Required = true };
        var online = new Option<bool>("--online") { Description = "Also connect and log in to every account, primary and SMTP server, and open each mailbox read-only. Changes nothing." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("check", "Validate the configuration (keys, values, password files); with --online, every login. Exit 0 all ok, 2 something to fix, 75 a server unreachable.");
        foreach (Option o in new Option[] { config, online, json })
            command.Options.Add(o);

        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            // A key or value the loader refuses is a usage error with its fix, told by Verb like any other verb's.
            using Microsoft.Extensions.Logging.ILoggerFactory logs = CliLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning, timestamps: false);
            MailRecoveryConfig loaded = ConfigLoader.Load(result.GetValue(config)!, logs.CreateLogger("config"));
            bool isOnline = result.GetValue(online);
            IReadOnlyList<EndpointVerdict> rows = await new ConfigCheckRun(loaded, isOnline).RunAsync(ct);
            int code = EndpointVerdict.Overall(rows);
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new ConfigCheckJson(code == 0, code, isOnline,
                    [.. rows.Select(r => new ConfigCheckJson.RowJson(r.Key, r.Endpoint, Verdict(r), r.Detail, r.Fix))])));
            }
            else
            {
                Write(cli.Out, result.GetValue(config)!, rows, code);
            }

            return code;
        }));
        return command;
    }

    /// <summary>The detail without the endpoint it starts with (a classified error names its thing first), so a row names it once.</summary>
    private static string Unprefixed(EndpointVerdict r)
    {
        int colon = r.Detail.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && r.Endpoint.StartsWith(r.Detail[..colon], StringComparison.Ordinal) ? r.Detail[(colon + 2)..] : r.Detail;
    }

    private static string Verdict(EndpointVerdict r) => r.Kind?.ToString().ToLowerInvariant() ?? "ok";

    private static void Write(TextWriter o, string path, IReadOnlyList<EndpointVerdict> rows, int code)
    {
        o.WriteLine($"configuration {path}: keys and values valid");
        int keyWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Key.Length);
        foreach (EndpointVerdict r in rows)
        {
            o.WriteLine($"  {r.Key.PadRight(keyWidth)}  {(r.Ok ? "ok" : Verdict(r).ToUpperInvariant()),-14}  {r.Endpoint}: {Unprefixed(r)}");
            if (r.Fix is not null)
                o.WriteLine($"  {new string(' ', keyWidth)}  fix: {r.Fix}");
        }

        int failed = rows.Count(r => !r.Ok);
        o.WriteLine(code == 0 ? "result: all ok." : $"result: {failed} of {rows.Count} failed (exit {code}).");
    }
}
