using MailRecovery.Core.Auth;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// The test assembly's entry point, for tests that need a real process to kill at a random moment
/// (<c>dotnet MailRecovery.Tests.dll ROLE ARGS</c>); the test runner never calls it.
/// </summary>
public static class ChildProcessMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["save-refresh-token-loop", string path])
        {
            // Saves grant 0, 1, 2, … forever, each line on stdout after its save returned.
            var store = new RefreshTokenStore(path);
            for (int i = 0; ; i++)
            {
                await store.SaveAsync(new StoredGrant(LargeSecret(i), DateTimeOffset.UtcNow), default);
                Console.WriteLine(i);
            }
        }

        if (args is ["stand-in-idp", string clientId, string secretFile, string mailbox])
        {
            // The stand-in identity provider on its own, for trying a client by hand (or a native build) against
            // the bed: uses the bed of MAILRECOVERY_TESTBED, registers one app-only client, prints its authority
            // host and runs until standard input closes.
            var bed = new TestBedFixture();
            await bed.InitializeAsync();
            await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
            idp.Clients[clientId] = new IdpClient(clientId) { Secret = File.ReadAllText(secretFile).Trim(), Permissions = [bed.OAuthScope], Mailbox = mailbox };
            Console.WriteLine($"authority host {idp.AuthorityHost} tenant {StandInIdentityProvider.Tenant} scope {bed.OAuthAudience}/.default token endpoint {idp.TokenUri}");
            await Console.In.ReadToEndAsync();
            return 0;
        }

        return 2;
    }

    /// <summary>A secret large enough that writing it takes a while, whose ends and length say whether it is whole.</summary>
    public static string LargeSecret(int i) => $"<{i}>" + new string((char)('a' + (i % 26)), 4 * 1024 * 1024) + $"</{i}>";
}
