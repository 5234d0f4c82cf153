using System.Globalization;
using MailRecovery.Core.Replay;

namespace MailRecovery.Cli.Replay;

/// <summary>The head of the plan of <c>replay --pulled-after T</c>: what the ledger says and what is left out, and why.</summary>
internal static class PulledAfterWriter
{
    public static void WriteText(TextWriter o, PulledAfterSelection p, TimeZoneInfo zone)
    {
        o.WriteLine("Select:   what the helpdesk took from its own account after T (the ledger of watch --primary)");
        o.WriteLine($"T:        {ReplayPlanWriter.Utc(p.PulledAfter)}  ({ReplayPlanWriter.Local(p.PulledAfter, zone)} {zone.Id})");
        o.WriteLine($"Ledger:   looks from {ReplayPlanWriter.Local(p.FirstLook, zone)} to {ReplayPlanWriter.Local(p.LastLook, zone)} (the last look)");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  taken after T:            {p.TakenAfter,6}  replayed"));
        if (p.NotLookedYet > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    of which received after the last look: {p.NotLookedYet} (taken since, or still waiting: a target that checks presence skips a copy still there)"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  taken around T:           {p.TakenAround,6}  {(p.AroundIncluded ? "replayed (taken between two looks around T; --skip-taken-around leaves them out)" : "left out (--skip-taken-around)")}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  waiting at the last look: {p.Waiting,6}  not replayed (the helpdesk will take them)"));
        if (p.Unobserved > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  helpdesk not observed:    {p.Unobserved,6}  not replayed (archived from an account without --primary; use --since for those)"));
    }
}
