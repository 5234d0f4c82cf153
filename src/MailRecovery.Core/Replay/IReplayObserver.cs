namespace MailRecovery.Core.Replay;

/// <summary>Hears about each message of a replay as it is handled (progress bar, plain lines).</summary>
public interface IReplayObserver
{
    /// <param name="outcome">delivered, present, journal, uncertain, failed or later.</param>
    void MessageDone(ReplayItem item, string outcome);
}
