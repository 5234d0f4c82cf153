using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// The isync way: kill the fetch right after each durable step (first and second time it happens), run
/// again, and compare with an uninterrupted run: every message archived exactly once, the index matching the
/// files, and, with the delete policy, the server emptied of exactly what was archived.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class CrashAtEveryStepTests(TestBedFixture bed)
{
    private const int Messages = 5;

    public static TheoryData<MailProtocol, FetchStep, int> Cases()
    {
        var data = new TheoryData<MailProtocol, FetchStep, int>();
        foreach (MailProtocol protocol in Enum.GetValues<MailProtocol>())
        {
            foreach (FetchStep step in Enum.GetValues<FetchStep>())
            {
                data.Add(protocol, step, 1);
                data.Add(protocol, step, 2);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_crash_after_any_step_loses_nothing_and_duplicates_nothing(MailProtocol protocol, FetchStep crashAfter, int occurrence)
    {
        string user = TestBedFixture.NewUser("c");
        byte[][] messages = Enumerable.Range(0, Messages).Select(i => TestMessages.Simple(i, $"crash{i}.{user}@example.org")).ToArray();
        await bed.LoadAsync(user, messages);
        var expected = messages.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal).ToList();
        SourceEndpoint endpoint = protocol == MailProtocol.Imap ? bed.Imaps(user) : bed.Pop3s(user);
        AccountSpec account = Fetcher.Account(bed, endpoint, ServerPolicy.Delete);
        using var dir = new TempDirectory();

        int seen = 0;
        var crashing = Fetcher.FastOptions(step =>
        {
            if (step == crashAfter && ++seen == occurrence)
                throw new SimulatedCrashException(step);
        }, batch: 2);
        FetchReport crashed = await Fetcher.RunAsync(dir.Path, account, crashing);
        Assert.NotNull(crashed.Accounts[0].Error);
        Assert.IsType<SimulatedCrashException>(crashed.Accounts[0].Error!.InnerException);

        FetchReport resumed = await Fetcher.RunAsync(dir.Path, account);
        Assert.Equal(0, resumed.ExitCode);

        var snapshot = ArchiveSnapshot.Take(dir.Path);
        Assert.Equal(expected, snapshot.FileHashes);
        Assert.Equal(expected, snapshot.IndexHashes);
        Assert.Equal(0, snapshot.TmpFiles);
        Assert.Equal(0, bed.CountMessages(user));

        FetchReport again = await Fetcher.RunAsync(dir.Path, account);
        Assert.Equal(0, again.Fetched);
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(snapshot);
    }

    private sealed class SimulatedCrashException(FetchStep step) : Exception($"simulated crash after {step}");
}
