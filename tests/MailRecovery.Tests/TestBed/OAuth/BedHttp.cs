namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>An HttpClient that trusts the bed's certificate (as the stand-in identity provider serves HTTPS with it).</summary>
public static class BedHttp
{
    public static HttpClient Client(TestBedFixture bed) => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = bed.Trust.Validate },
    });
}
