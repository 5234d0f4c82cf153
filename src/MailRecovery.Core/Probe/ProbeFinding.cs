namespace MailRecovery.Core.Probe;

/// <summary>One plain-language diagnosis with its likely fix.</summary>
public sealed record ProbeFinding(string Problem, string Fix);
