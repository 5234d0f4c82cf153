using System.Net.Security;
using System.Net.Sockets;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Answers one question after a plain or STARTTLS connection got no greeting: does this port speak TLS from the
/// first byte (implicit TLS, e.g. 993)? A TLS server waits silently for a ClientHello, so without this the client
/// waits for a greeting that never comes and the mix-up looks like a slow server (it once took 129 s over 4 tries).
/// Nothing but a ClientHello is sent; the certificate is only looked at, never trusted for anything.
/// </summary>
public static class TlsProbe
{
    /// <summary>How long the probe's connect and handshake may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <returns>True when the server answered a ClientHello with a certificate.</returns>
    public static async Task<bool> SpeaksTlsAsync(string host, int port, CancellationToken cancellationToken)
    {
        bool sawCertificate = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, deadline.Token);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
            {
                sawCertificate = certificate is not null;
                return false; // seen is enough; nothing is sent over it
            });
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, deadline.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException
                                      or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The handshake fails by design (the callback refuses); what counts is whether a certificate came.
        }

        return sawCertificate;
    }
}
