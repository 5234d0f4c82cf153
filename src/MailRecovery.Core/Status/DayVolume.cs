namespace MailRecovery.Core.Status;

/// <summary>Messages archived for one local calendar day (by receipt time).</summary>
/// <param name="Low">True when the day is far below the usual volume (see <see cref="StatusBuilder"/>).</param>
public sealed record DayVolume(DateOnly Day, int Count, bool Low);
