namespace MailRecovery.Tests.TestBed;

/// <summary>
/// Tests against the real servers share one bed and run one after another (some restart Dovecot or change
/// the alias).
/// </summary>
[CollectionDefinition(Name)]
public sealed class TestBedCollection : ICollectionFixture<TestBedFixture>
{
    public const string Name = "real mail servers";
}
