namespace MailRecovery.Core.Resilience;

/// <summary>How hard an account's pass is retried after a transient failure.</summary>
public sealed class ResilienceOptions
{
    /// <summary>Retries after the first attempt, for transient failures only.</summary>
    /// <value>The default value is 3 retries.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff; later ones double, with jitter.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How many times in a row a pass waits for a provider's throttling (<see cref="Errors.ProviderThrottling"/>)
    /// before the account is reported failed. These waits are not counted in <see cref="MaxRetries"/>.
    /// </summary>
    /// <value>The default value is 8 waits.</value>
    public int MaxThrottleWaits { get; set; } = 8;

    /// <summary>The longest connect + TLS + login may take.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
