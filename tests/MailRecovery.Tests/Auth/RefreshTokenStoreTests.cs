using System.Diagnostics;
using System.Text.RegularExpressions;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Auth;

public sealed partial class RefreshTokenStoreTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_saved_grant_reads_back_and_the_file_is_0600()
    {
        var store = new RefreshTokenStore(dir.Sub("store"));
        var grant = new StoredGrant("rt-1", new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

        await store.SaveAsync(grant, default);
        await store.SaveAsync(grant with { Secret = "rt-2" }, default);

        Assert.Equal(grant with { Secret = "rt-2" }, await store.LoadAsync(default));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.Equal(["store"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task No_store_is_null_and_a_damaged_one_says_to_sign_in_again()
    {
        var store = new RefreshTokenStore(dir.Sub("store"));
        Assert.Null(await store.LoadAsync(default));

        await TestBed.SecretFile.WriteAsync(store.Path, "{\"secret\": \"rt-half");
        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => store.LoadAsync(default).AsTask());

        Assert.Contains("damaged", e.Message);
        Assert.DoesNotContain("rt-half", e.UserText);
    }

    [Fact]
    public async Task A_process_killed_while_saving_leaves_the_old_grant_or_the_complete_new_one()
    {
        var store = new RefreshTokenStore(dir.Sub("store"));
        await store.SaveAsync(new StoredGrant("initial", DateTimeOffset.UtcNow), default);
        int last = -1;
        var random = new Random(13);
        for (int round = 0; round < 16; round++)
        {
            using Process child = StartSaver(store.Path);
            // After a few saves the child's loop runs at full speed (a save of 4 MiB takes some 30 ms here, about a
            // third of it with the file open for writing): kill it at a random point of the next cycle.
            for (int saved = 0; saved < 3; saved++)
                Assert.NotNull(await child.StandardOutput.ReadLineAsync());
            await Task.Delay(random.Next(0, 40));
            child.Kill();
            await child.WaitForExitAsync();

            StoredGrant grant = (await store.LoadAsync(default))!;
            if (grant.Secret != "initial")
            {
                Match m = Whole().Match(grant.Secret);
                Assert.True(m.Success, $"round {round}: a partial grant of {grant.Secret.Length} characters");
                Assert.Equal(ChildProcessMain.LargeSecret(int.Parse(m.Groups[1].Value)), grant.Secret);
                last = int.Parse(m.Groups[1].Value);
            }
        }

        Assert.True(last >= 0, "the child never completed a save: kill later");
        await store.SaveAsync(new StoredGrant("after", DateTimeOffset.UtcNow), default); // and the killed ones' temporary files go
        Assert.Equal(["store"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_inactivity_warning_starts_30_days_before_the_90_day_limit()
    {
        var now = new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

        Assert.Null(RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-59)), now));
        Assert.Contains("expires unused on 2026-12-29", RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-60)), now));
        Assert.Contains("probably expired", RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-91)), now));
        // Google's limit is six months: 91 days unused is nothing to warn about there, 160 is.
        Assert.Null(RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-91)), now, "Google", RefreshTokenStore.GoogleInactivityLimit));
        Assert.Contains("expires unused on", RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-160)), now, "Google", RefreshTokenStore.GoogleInactivityLimit));
        Assert.Contains("Google ends refresh tokens unused for 183 days", RefreshTokenStore.InactivityWarning(new StoredGrant("x", now.AddDays(-200)), now, "Google", RefreshTokenStore.GoogleInactivityLimit));
    }

    private static Process StartSaver(string path)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MailRecovery.Tests.dll"));
        psi.ArgumentList.Add("save-refresh-token-loop");
        psi.ArgumentList.Add(path);
        Process p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        return p;
    }

    [GeneratedRegex(@"^<(\d+)>[a-z]+</\1>$")]
    private static partial Regex Whole();
}
