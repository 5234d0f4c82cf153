namespace MailRecovery.Core.Snapshots;

/// <summary>One difference between a live tree and a snapshot's manifest.</summary>
/// <param name="Kind">missing, extra, type, owner, group, mode, size or mtime.</param>
/// <param name="Path">label/relative path, as in the tar.</param>
/// <param name="Fixable">owner, group and mode are set back by --fix; the others need a restore or a look.</param>
public sealed record CheckFinding(string Kind, string Path, string Expected, string Actual)
{
    public bool Fixable => Kind is "owner" or "group" or "mode";

    public override string ToString() => $"{Kind}: {Path}: expected {Expected}, found {Actual}";
}
