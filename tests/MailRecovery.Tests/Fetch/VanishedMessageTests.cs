using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A message expunged by another session between the listing and its download (alias verify --cleanup does
/// that to probes, a helpdesk to its mail) is reported as vanished: never an empty file, never "fetched".
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class VanishedMessageTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_message_expunged_after_the_listing_is_vanished_not_archived_and_the_next_pass_is_clean()
    {
        string user = TestBedFixture.NewUser("v");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"v{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user));
        bool expunged = false;

        // One message per batch: after the first is staged, the other two are listed and described (with their
        // RFC822.SIZE) but not downloaded yet. Another session expunges UID 2 right then.
        var options = Fetcher.FastOptions(step =>
        {
            if (step == FetchStep.Staged && !expunged)
            {
                expunged = true;
                Doveadm($"expunge -u {user} mailbox INBOX uid 2");
            }
        }, batch: 1);
        FetchReport first = await Fetcher.RunAsync(dir.Path, account, options);

        Assert.True(expunged);
        Assert.Equal(2, first.Fetched);
        Assert.Equal(1, first.Vanished);
        Assert.Equal(0, first.Failed);
        Assert.Equal(0, first.ExitCode);
        var snapshot = ArchiveSnapshot.Take(dir.Path);
        Assert.Equal(2, snapshot.FileHashes.Count);
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(dir.Path, "cur")), f => new FileInfo(f).Length == 0);

        FetchReport second = await Fetcher.RunAsync(dir.Path, account);
        Assert.Equal(0, second.Fetched);
        Assert.Equal(2, second.AlreadyHad);
        Assert.Equal(0, second.Vanished);
        Assert.Equal(0, second.ExitCode);

        // The announced sizes are recorded, and they match: verify finds the archive sound.
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        VerifyReport verify = await ArchiveVerifier.VerifyAsync(archive, null, CancellationToken.None);
        Assert.True(verify.IsSound, string.Join("; ", verify.Problems));
        Assert.Empty(archive.Index.ServerSizeMismatches());
    }

    // Synchronous on purpose: the hook runs inside the fetch and must finish before the next download.
    private void Doveadm(string arguments)
    {
        using Process p = Process.Start(new ProcessStartInfo("doveadm", $"-c {bed.DovecotConf} {arguments}") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
    }
}
