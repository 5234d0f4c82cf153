namespace MailRecovery.Tests.Sources.InputGuard;

/// <summary>The flood tests run alone: each makes a child process read megabytes, and the machine has few cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileServerCollection
{
    public const string Name = "Hostile servers";
}
