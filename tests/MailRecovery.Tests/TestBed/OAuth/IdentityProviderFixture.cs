namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>
/// One stand-in identity provider (and one directory for its secrets) shared by a test class's cases
/// (<c>IClassFixture</c>); started on first use, since it needs the collection's bed.
/// </summary>
public sealed class IdentityProviderFixture : IAsyncLifetime
{
    private readonly Lock gate = new();
    private StandInIdentityProvider? idp;
    private TokenProviderSetup? setup;

    public TempDirectory Dir { get; } = new();

    public StandInIdentityProvider Idp(TestBedFixture bed)
    {
        lock (gate)
            return idp ??= StandInIdentityProvider.Start(bed);
    }

    public TokenProviderSetup Setup(TestBedFixture bed)
    {
        lock (gate)
            return setup ??= new TokenProviderSetup(bed, idp ??= StandInIdentityProvider.Start(bed), Dir.Path);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (idp is not null)
            await idp.DisposeAsync();
        Dir.Dispose();
    }
}
