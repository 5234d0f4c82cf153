using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// <c>auth test</c>: gets a token (a fresh one, not a cached), reads its claims, then signs in to every server the
/// account uses through the protocol layer, each with its own credential (the probe's SMTP or the alert mail's may sign
/// in otherwise than the account), one attempt each (a refused sign-in is never retried: that locks accounts), and
/// explains each refusal (<see cref="AuthAdvice"/>). The token itself goes nowhere but the servers.
/// </summary>
public sealed class AuthTestRun(AuthTestOptions options, TimeProvider clock)
{
    public async Task<AuthTestReport> RunAsync(CancellationToken cancellationToken)
    {
        // One fresh token per token source, whichever endpoints share it (an account and its probe's copy do).
        var tokens = new Dictionary<IAccessTokenSource, Token>(ReferenceEqualityComparer.Instance);
        Token main = await TokenAsync(options.Credential, tokens, cancellationToken);
        var verdicts = new List<AuthVerdict>();
        foreach (AuthTarget target in options.Targets)
        {
            Credential credential = target.Credential ?? options.Credential;
            Token token = await TokenAsync(credential, tokens, cancellationToken);
            string signIn = credential is TokenCredential ? "token" : credential is SourceCredentials { PasswordFile: null, PasswordEnvironmentVariable: null } ? "none" : "password";
            if (token.Problem is { } problem)
            {
                // The account's own token problem is the report's (nothing was tried with it); another's is its endpoint's.
                if (!ReferenceEquals(token, main))
                    verdicts.Add(new AuthVerdict(target.Protocol, target.ToString(), false, $"no access token: {problem.Message}", problem.Fix is { } fix ? [fix] : []) { Use = target.Use, SignIn = signIn });
                continue;
            }

            AuthVerdict verdict = await SignInAsync(target, token.Credential ?? credential, token.Claims, cancellationToken);
            verdicts.Add(verdict with { Use = target.Use, SignIn = signIn, Claims = token.Claims });
        }

        return new AuthTestReport(main.Claims, main.Problem?.UserText, verdicts);
    }

    /// <summary>
    /// For a token credential: a fresh token (not a cached one) and its claims, and a credential that hands out that
    /// very token, so the claims shown are those of the token tried. A password credential passes through.
    /// </summary>
    private static async Task<Token> TokenAsync(Credential credential, Dictionary<IAccessTokenSource, Token> tokens, CancellationToken cancellationToken)
    {
        if (credential is not TokenCredential token)
            return new Token(null, null, null);
        if (tokens.TryGetValue(token.Source, out Token? known))
            return known;
        Token got;
        try
        {
            AccessToken value = await token.Source.GetAsync(forceRefresh: true, cancellationToken);
            got = new Token(TokenClaims.Read(value.Value), new TokenCredential(new FixedToken(value)), null);
        }
        catch (MailRecoveryException e)
        {
            got = new Token(null, null, e);
        }

        tokens[token.Source] = got;
        return got;
    }

    private async Task<AuthVerdict> SignInAsync(AuthTarget target, Credential credential, TokenClaims? claims, CancellationToken cancellationToken)
    {
        string thing = $"{target.Protocol} {target}";
        try
        {
            await OpenAsync(target, credential, target.Trust ?? options.Trust, cancellationToken);
            return new AuthVerdict(target.Protocol, target.ToString(), true, null, []);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, thing);
            IReadOnlyList<string> fixes = claims is not null && error.Kind == FailureKind.Authentication
                ? AuthAdvice.Explain(claims, AuthExpectation.For(target.Protocol, target.Host, options.Expected), target, error, clock.GetUtcNow())
                : error.Fix is { } fix ? [fix] : [];
            return new AuthVerdict(target.Protocol, target.ToString(), false, error.Message, fixes);
        }
    }

    private static async Task OpenAsync(AuthTarget target, Credential credential, CertificateTrust trust, CancellationToken cancellationToken)
    {
        if (target.Smtp is { } smtp)
        {
            using SmtpClient client = MailServiceConnector.NewSmtpClient();
            await SmtpSessions.OpenAsync(client, smtp, credential, trust, new SmtpRefusals($"SMTP {target}",
                () => MailRecoveryException.Usage($"SMTP {target}: the server offers no STARTTLS, so the credential would cross the network in clear text.", "use smtps:// or a server with STARTTLS."),
                () => MailRecoveryException.Usage($"SMTP {target}: the server offers no login (no AUTH in its EHLO reply).", "use the submission port (587) or 465.")),
                cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        else if (target.Mailbox is { Protocol: MailProtocol.Pop3 } pop3)
        {
            using Pop3Client client = MailServiceConnector.NewPop3Client();
            await Pop3Sessions.OpenAsync(client, pop3, credential, trust, pop3.AccountKey, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        else if (target.Mailbox is { } imap)
        {
            using ImapClient client = MailServiceConnector.NewImapClient();
            await ImapSessions.OpenAsync(client, imap, credential, trust, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
    }

    /// <summary>A token source's outcome: the claims and a credential holding the token read, or why none was had.</summary>
    private sealed record Token(TokenClaims? Claims, Credential? Credential, MailRecoveryException? Problem);

    /// <summary>The one token this run read from a source, handed to every sign-in that uses the source.</summary>
    private sealed class FixedToken(AccessToken token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
