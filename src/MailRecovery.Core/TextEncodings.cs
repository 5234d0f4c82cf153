using System.Runtime.CompilerServices;
using System.Text;

namespace MailRecovery.Core;

/// <summary>
/// The legacy code pages (ISO-2022-JP, Shift_JIS, EUC-KR, windows-125x…) that .NET leaves out by default and that
/// MimeKit needs to decode the encoded words of many Japanese, Korean and older mailers' headers.
/// </summary>
public static class TextEncodings
{
    /// <summary>
    /// Registers them when this assembly loads, before any of its code and so before its first use of MimeKit.
    /// Order is important: MimeKit remembers a charset it could not find, so registering later (as the metadata
    /// reader's static constructor did) left ISO-2022-JP subjects undecoded whenever something had parsed a
    /// header before, depending on what ran first.
    /// </summary>
#pragma warning disable CA2255 // A module initializer in a library is the point: nothing may use MimeKit before it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterOnLoad() => Register();

    /// <summary>Idempotent; for a host that uses MimeKit before loading this assembly (the tests).</summary>
    public static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
