namespace MailRecovery.Core.Alerts;

/// <summary>Why an alert is sent. In the webhook body these are <c>started</c>, <c>reminder</c> and <c>cleared</c>.</summary>
public enum AlertEvent
{
    /// <summary>A condition that was not alerted on holds now.</summary>
    Started,

    /// <summary>An alerted condition still holds, a reminder interval (default one day) after the last alert.</summary>
    Reminder,

    /// <summary>An alerted condition no longer holds.</summary>
    Cleared,
}
