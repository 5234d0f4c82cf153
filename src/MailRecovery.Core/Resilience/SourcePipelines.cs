using MailRecovery.Core.Errors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MailRecovery.Core.Resilience;

/// <summary>
/// The Polly pipelines of the fetch path, one per failure domain: a retry around a whole account pass (which
/// is idempotent: archived messages are skipped), and a timeout around connecting. Only
/// <see cref="FailureKind.Transient"/> failures are retried: never a refused password (that locks accounts),
/// never a full disk.
/// </summary>
public static class SourcePipelines
{
    public static ResiliencePipeline AccountPass(ResilienceOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MailRecoveryException>(e => e.IsTransient),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                OnRetry = args =>
                {
                    logger.LogWarning("{Error} Retrying in {Delay:0.0} s (attempt {Attempt} of {Max}).",
                        args.Outcome.Exception?.Message, args.RetryDelay.TotalSeconds, args.AttemptNumber + 2, options.MaxRetries + 1);
                    return default;
                },
            })
            .Build();
    }

    public static ResiliencePipeline Connect(ResilienceOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.ConnectTimeout })
            .Build();
    }
}
