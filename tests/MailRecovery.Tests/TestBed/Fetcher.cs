using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Resilience;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.TestBed;

/// <summary>Runs a real fetch pass in-process, the way the CLI does.</summary>
public static class Fetcher
{
    public static FetchOptions FastOptions(Action<FetchStep>? afterStep = null, int batch = 200) => new()
    {
        BatchMessages = batch,
        AfterStep = afterStep,
        Resilience = new ResilienceOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(50) },
    };

    public static AccountSpec Account(TestBedFixture bed, SourceEndpoint endpoint, ServerPolicy? policy = null) =>
        new(endpoint.AccountKey, endpoint, bed.Credentials, bed.Trust, policy ?? ServerPolicy.Keep);

    public static async Task<FetchReport> RunAsync(string archiveDir, AccountSpec account, FetchOptions? options = null)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(archiveDir, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        var run = new FetchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), options ?? FastOptions(), NullLogger.Instance);
        return await run.RunAsync([account], CancellationToken.None);
    }
}
