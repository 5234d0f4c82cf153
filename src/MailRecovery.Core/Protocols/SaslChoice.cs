namespace MailRecovery.Core.Protocols;

/// <summary>
/// Which SASL mechanism (RFC 4422) a sign-in uses, from the credential's kind and the mechanisms the server
/// offers (IMAP CAPABILITY AUTH=, POP3 CAPA SASL, SMTP EHLO AUTH). Exactly one is chosen: trying each in turn
/// with the same secret counts as several failed logins on the server.
/// </summary>
public static class SaslChoice
{
    /// <summary>Mechanisms we can use with a password, best first.</summary>
    private static readonly string[] PasswordMechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"];

    /// <summary>
    /// Mechanisms we can use with an access token, best first: XOAUTH2 is the only one Microsoft accepts and
    /// Google's older one; OAUTHBEARER (RFC 7628) is the standard.
    /// </summary>
    private static readonly string[] TokenMechanisms = ["XOAUTH2", "OAUTHBEARER"];

    /// <returns>The mechanism for a password; null for the protocol's own login (IMAP LOGIN, POP3 USER/PASS).</returns>
    public static string? ForPassword(IEnumerable<string> offered) => Best(PasswordMechanisms, offered);

    /// <returns>The mechanism for an access token; null when the server offers neither (a token cannot be used).</returns>
    public static string? ForToken(IEnumerable<string> offered) => Best(TokenMechanisms, offered);

    private static string? Best(string[] ours, IEnumerable<string> offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        var set = new HashSet<string>(offered, StringComparer.OrdinalIgnoreCase);
        return ours.FirstOrDefault(set.Contains);
    }
}
