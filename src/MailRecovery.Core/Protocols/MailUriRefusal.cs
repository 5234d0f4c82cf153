using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Protocols;

/// <summary>Words one <see cref="MailUriProblem"/> for the place that took the URI (its flags, its examples).</summary>
/// <param name="problem">What is wrong.</param>
/// <param name="detail">The scheme, host, parameter or value the problem names; empty when none.</param>
public delegate MailRecoveryException MailUriRefusal(MailUriProblem problem, string detail);
