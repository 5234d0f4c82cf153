using System.Diagnostics;
using System.Security.Cryptography;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// The real Dovecot + Postfix of <c>testbed/testbed.sh</c>. Uses a running bed (its <c>env</c> file) or starts
/// one, and stops only what it started. Every test invents its own user names: Dovecot accepts any user with
/// the password "secret", so mailboxes never collide.
/// </summary>
public sealed class TestBedFixture : IAsyncLifetime
{
    private bool startedHere;

    public string Dir { get; } = Environment.GetEnvironmentVariable("MAILRECOVERY_TESTBED") ?? "/tmp/mailrecovery-testbed";

    public static string RepoRoot { get; } = FindRepoRoot();

    public int ImapPort { get; private set; } = 10143;

    public int ImapsPort { get; private set; } = 10993;

    public int Pop3Port { get; private set; } = 10110;

    public int Pop3sPort { get; private set; } = 10995;

    public int SmtpPort { get; private set; } = 10025;

    public int LmtpPort { get; private set; } = 10024;

    /// <summary>Postfix's submission port: SMTP AUTH (passwords and OAuth2 tokens) checked by Dovecot.</summary>
    public int SubmissionPort { get; private set; } = 10587;

    /// <summary>What Dovecot's oauth2 passdb wants in a token (fixtures/dovecot/dovecot-oauth2.conf.ext).</summary>
    public string OAuthAudience { get; private set; } = "https://mail.example.test";

    public string OAuthIssuer { get; private set; } = "https://login.example.test/bed/v2.0";

    public string OAuthScope { get; private set; } = "mail.access";

    public string OAuthKeyId { get; private set; } = "bed";

    /// <summary>The RSA key tokens must be signed with (PEM, 0600; Dovecot holds its public half).</summary>
    public string OAuthSigningKey => Path.Combine(Dir, "oauth", "signing-key.pem");

    /// <summary>The bed's TLS certificate's private key (the stand-in identity provider serves HTTPS with it).</summary>
    public string TlsKeyFile => Path.Combine(Dir, "tls", "key.pem");

    public string CaFile => Path.Combine(Dir, "tls", "cert.pem");

    public string DovecotConf => Path.Combine(Dir, "dovecot.conf");

    public string Password => "secret";

    public string PasswordFile => Path.Combine(Dir, "test-password");

    public async Task InitializeAsync()
    {
        string env = Path.Combine(Dir, "env");
        if (!File.Exists(env))
        {
            await RunAsync(Path.Combine(RepoRoot, "testbed", "testbed.sh"), $"start {Dir}");
            startedHere = true;
        }

        foreach (string line in await File.ReadAllLinesAsync(env))
        {
            string[] kv = line.Split('=', 2);
            if (kv.Length != 2)
                continue;
            switch (kv[0])
            {
                case "IMAP_PORT": ImapPort = int.Parse(kv[1]); break;
                case "IMAPS_PORT": ImapsPort = int.Parse(kv[1]); break;
                case "POP3_PORT": Pop3Port = int.Parse(kv[1]); break;
                case "POP3S_PORT": Pop3sPort = int.Parse(kv[1]); break;
                case "SMTP_PORT": SmtpPort = int.Parse(kv[1]); break;
                case "LMTP_PORT": LmtpPort = int.Parse(kv[1]); break;
                case "SUBMISSION_PORT": SubmissionPort = int.Parse(kv[1]); break;
                case "OAUTH_AUDIENCE": OAuthAudience = kv[1]; break;
                case "OAUTH_ISSUER": OAuthIssuer = kv[1]; break;
                case "OAUTH_SCOPE": OAuthScope = kv[1]; break;
                case "OAUTH_KEY_ID": OAuthKeyId = kv[1]; break;
            }
        }

        await SecretFile.WriteAsync(PasswordFile, Password + "\n");
    }

    public async Task DisposeAsync()
    {
        if (startedHere)
            await RunAsync(Path.Combine(RepoRoot, "testbed", "testbed.sh"), $"stop {Dir}");
    }

    /// <summary>A user name no other test uses.</summary>
    public static string NewUser(string prefix) => $"{prefix}{RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    public string Maildir(string user) => Path.Combine(Dir, "home", user, "Maildir");

    public SourceEndpoint Imaps(string user, string mailbox = "INBOX") =>
        new(MailProtocol.Imap, "127.0.0.1", ImapsPort, TlsMode.Implicit, user, [mailbox]);

    public SourceEndpoint ImapStartTls(string user) =>
        new(MailProtocol.Imap, "127.0.0.1", ImapPort, TlsMode.StartTls, user, ["INBOX"]);

    public SourceEndpoint Pop3s(string user) =>
        new(MailProtocol.Pop3, "127.0.0.1", Pop3sPort, TlsMode.Implicit, user, []);

    public SourceEndpoint Pop3StartTls(string user) =>
        new(MailProtocol.Pop3, "127.0.0.1", Pop3Port, TlsMode.StartTls, user, []);

    public SourceCredentials Credentials => new(PasswordFile, null);

    public CertificateTrust Trust => CertificateTrust.FromFile(CaFile);

    /// <summary>Sends through Postfix (the real alias path) and returns once Postfix accepted it.</summary>
    public async Task SendAsync(string to, string subject, string body = "test body", string from = "customer@example.org", Action<MimeMessage>? edit = null)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        edit?.Invoke(message);
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    /// <summary>Waits until the user's Maildir holds at least <paramref name="count"/> messages.</summary>
    public async Task WaitForMessagesAsync(string user, int count, TimeSpan? timeout = null)
    {
        var sw = Stopwatch.StartNew();
        while (CountMessages(user) < count)
        {
            if (sw.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
                throw new TimeoutException($"{user} has {CountMessages(user)} messages, expected {count}; see {Dir}/log");
            await Task.Delay(50);
        }
    }

    public int CountMessages(string user)
    {
        string md = Maildir(user);
        return new[] { "cur", "new" }.Sum(d => Directory.Exists(Path.Combine(md, d)) ? Directory.GetFiles(Path.Combine(md, d)).Length : 0);
    }

    /// <summary>
    /// Puts raw messages straight into a user's Maildir (byte-exact, thousands per second) and makes Dovecot
    /// see them. Dovecot serves Maildir files with CRLF line ends, so give CRLF messages for exact comparisons.
    /// </summary>
    public async Task LoadAsync(string user, IEnumerable<byte[]> messages)
    {
        string cur = Path.Combine(Maildir(user), "cur");
        Directory.CreateDirectory(cur);
        Directory.CreateDirectory(Path.Combine(Maildir(user), "new"));
        Directory.CreateDirectory(Path.Combine(Maildir(user), "tmp"));
        int i = 0;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (byte[] m in messages)
            await File.WriteAllBytesAsync(Path.Combine(cur, $"{now}.M{i++}P1.testbed,S={m.Length}:2,"), m);
        await RunAsync("chown", $"-R mail:mail {Path.Combine(Dir, "home", user)}");
        await DoveadmAsync($"force-resync -u {user} INBOX");
    }

    public Task DoveadmAsync(string arguments) => RunAsync("doveadm", $"-c {DovecotConf} {arguments}");

    public Task TestBedAsync(string arguments) => RunAsync(Path.Combine(RepoRoot, "testbed", "testbed.sh"), $"{arguments} {Dir}");

    public static async Task<string> RunAsync(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using Process p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited {p.ExitCode}: {await stderr}{await stdout}");
        return await stdout;
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "MailRecovery.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (MailRecovery.sln)");
    }
}
