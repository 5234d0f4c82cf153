using System.Runtime.CompilerServices;

namespace MailRecovery.Tests;

/// <summary>
/// The tests use MimeKit directly, sometimes before any MailRecovery.Core type has loaded that assembly (whose module
/// initializer registers the legacy code pages, <see cref="Core.TextEncodings"/>): register them first, as the CLI's
/// loading of Core does, so that no test's outcome depends on which test ran before it.
/// </summary>
internal static class TestEncodings
{
#pragma warning disable CA2255 // Test-assembly set-up that must precede every test's first MimeKit call.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Core.TextEncodings.Register();
}
