using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// <c>auth test</c>: gets a token (a fresh one, not a cached), reads its claims, then signs in to every server the
/// account uses through the protocol layer, one attempt each (a refused sign-in is never retried: that locks
/// accounts), and explains each refusal (<see cref="AuthAdvice"/>). The token itself goes nowhere but the servers.
/// </summary>
public sealed class AuthTestRun(AuthTestOptions options, TimeProvider clock)
{
    public async Task<AuthTestReport> RunAsync(CancellationToken cancellationToken)
    {
        TokenClaims? claims = null;
        Credential credential = options.Credential;
        if (credential is TokenCredential token)
        {
            AccessToken got;
            try
            {
                got = await token.Source.GetAsync(forceRefresh: true, cancellationToken);
            }
            catch (MailRecoveryException e)
            {
                return new AuthTestReport(null, e.UserText, []);
            }

            claims = TokenClaims.Read(got.Value);
            // The sign-ins below use the token just read, so that the claims shown are those of the token tried.
            credential = new TokenCredential(new FixedToken(got));
        }

        var verdicts = new List<AuthVerdict>();
        foreach (AuthTarget target in options.Targets)
            verdicts.Add(await SignInAsync(target, credential, claims, cancellationToken));
        return new AuthTestReport(claims, null, verdicts);
    }

    private async Task<AuthVerdict> SignInAsync(AuthTarget target, Credential credential, TokenClaims? claims, CancellationToken cancellationToken)
    {
        string thing = $"{target.Protocol} {target}";
        try
        {
            await OpenAsync(target, credential, cancellationToken);
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

    private async Task OpenAsync(AuthTarget target, Credential credential, CancellationToken cancellationToken)
    {
        if (target.Smtp is { } smtp)
        {
            using SmtpClient client = MailServiceConnector.NewSmtpClient();
            await SmtpSessions.OpenAsync(client, smtp, credential, options.Trust, new SmtpRefusals($"SMTP {target}",
                () => MailRecoveryException.Usage($"SMTP {target}: the server offers no STARTTLS, so the credential would cross the network in clear text.", "use smtps:// or a server with STARTTLS."),
                () => MailRecoveryException.Usage($"SMTP {target}: the server offers no login (no AUTH in its EHLO reply).", "use the submission port (587) or 465.")),
                cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        else if (target.Mailbox is { Protocol: MailProtocol.Pop3 } pop3)
        {
            using Pop3Client client = MailServiceConnector.NewPop3Client();
            await Pop3Sessions.OpenAsync(client, pop3, credential, options.Trust, pop3.AccountKey, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        else if (target.Mailbox is { } imap)
        {
            using ImapClient client = MailServiceConnector.NewImapClient();
            await ImapSessions.OpenAsync(client, imap, credential, options.Trust, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
    }

    /// <summary>The one token this run read, handed to every sign-in.</summary>
    private sealed class FixedToken(AccessToken token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
