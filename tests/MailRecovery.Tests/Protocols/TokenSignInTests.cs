using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Imap;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Protocols;

/// <summary>
/// A token credential signs in with the mechanism the server offers, XOAUTH2 first, over the same opener as a
/// password. No identity provider or OAuth2 server is needed for that: a scripted IMAP server records the exchange.
/// </summary>
public sealed class TokenSignInTests
{
    [Theory]
    [InlineData("AUTH=PLAIN AUTH=OAUTHBEARER AUTH=XOAUTH2", "XOAUTH2")]
    [InlineData("AUTH=PLAIN AUTH=OAUTHBEARER", "OAUTHBEARER")]
    public async Task An_access_token_goes_out_with_the_mechanism_the_server_prefers_of_ours(string offered, string mechanism)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string> serving = ServeAsync(listener, offered);
        SourceEndpoint endpoint = SourceUri.Parse($"imap://helpdesk@127.0.0.1:{port}/INBOX?tls=none", insecure: true);
        using ImapClient client = MailServiceConnector.NewImapClient();

        await ImapSessions.OpenAsync(client, endpoint, new TokenCredential(new FixedToken("tok-123")), CertificateTrust.System, CancellationToken.None);
        await client.DisconnectAsync(true);

        string exchange = await serving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith($"AUTHENTICATE {mechanism}", exchange, StringComparison.Ordinal);
        Assert.Contains("auth=Bearer tok-123\u0001\u0001", exchange, StringComparison.Ordinal);
        Assert.Contains("helpdesk", exchange, StringComparison.Ordinal);
        listener.Stop();
    }

    /// <returns>The AUTHENTICATE command and its response, base64 decoded.</returns>
    private static async Task<string> ServeAsync(TcpListener listener, string offered)
    {
        using TcpClient c = await listener.AcceptTcpClientAsync();
        NetworkStream stream = c.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        async Task Send(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await Send($"* OK [CAPABILITY IMAP4rev1 {offered}] ready\r\n");
        string exchange = string.Empty;
        while (await reader.ReadLineAsync() is { } line)
        {
            string[] words = line.Split(' ');
            string tag = words[0];
            if (words.Length > 1 && words[1].Equals("AUTHENTICATE", StringComparison.OrdinalIgnoreCase))
            {
                string response = words.Length > 3 ? words[3] : await Continue();
                exchange = $"AUTHENTICATE {words[2]} {Encoding.UTF8.GetString(Convert.FromBase64String(response))}";
                await Send($"{tag} OK [CAPABILITY IMAP4rev1] signed in\r\n");
            }
            else if (line.Contains("LOGOUT", StringComparison.OrdinalIgnoreCase))
            {
                await Send($"* BYE\r\n{tag} OK bye\r\n");
                break;
            }
            else
            {
                await Send(line.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase) ? $"* CAPABILITY IMAP4rev1 {offered}\r\n{tag} OK done\r\n" : $"{tag} OK done\r\n");
            }
        }

        return exchange;

        async Task<string> Continue()
        {
            await Send("+ \r\n");
            return await reader.ReadLineAsync() ?? string.Empty;
        }
    }

    private sealed class FixedToken(string token) : IAccessTokenSource
    {
        public ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(new AccessToken(token, null));
    }
}
