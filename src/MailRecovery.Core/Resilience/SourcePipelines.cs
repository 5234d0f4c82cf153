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
/// never a full disk. A provider's throttling (a failure with <see cref="MailRecoveryException.RetryAfter"/>) has a
/// retry of its own, outside the other: it waits exactly what the server asked, and does not use up the retries
/// meant for a broken network.
/// </summary>
public static class SourcePipelines
{
    public static ResiliencePipeline AccountPass(ResilienceOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ResiliencePipelineBuilder builder = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(Throttling(options, logger));
        if (options.MaxRetries <= 0)
            return builder.Build();
        return builder
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MailRecoveryException>(e => e.IsTransient && e.RetryAfter is null),
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

    /// <summary>
    /// Waits what a throttling reply asked for, then runs the pass again (it is idempotent: what was archived is
    /// skipped). Logged once per wait, as a warning, not an error.
    /// </summary>
    private static RetryStrategyOptions Throttling(ResilienceOptions options, ILogger logger) => new()
    {
        ShouldHandle = new PredicateBuilder().Handle<MailRecoveryException>(e => e.RetryAfter is not null),
        MaxRetryAttempts = Math.Max(1, options.MaxThrottleWaits),
        DelayGenerator = args => ValueTask.FromResult((args.Outcome.Exception as MailRecoveryException)?.RetryAfter),
        OnRetry = args =>
        {
            logger.LogWarning("{Error} (wait {Attempt} of at most {Max})", args.Outcome.Exception?.Message, args.AttemptNumber + 1, options.MaxThrottleWaits);
            return default;
        },
    };

    public static ResiliencePipeline Connect(ResilienceOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.ConnectTimeout })
            .Build();
    }
}
