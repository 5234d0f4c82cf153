using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>What the SMTP/LMTP target tests share: archived files in, delivered messages back out over IMAP.</summary>
internal static class DeliveredMail
{
    /// <summary>Writes <paramref name="bytes"/> to a file and catalogues it, as the archive would.</summary>
    public static async Task<ReplayItem> ItemAsync(TempDirectory dir, byte[] bytes)
    {
        string path = dir.Sub(Guid.NewGuid().ToString("N") + ".eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }

    /// <summary>
    /// Every message of the user's INBOX as IMAP serves it: Dovecot stores LF on disk and serves CRLF, so this,
    /// not the Maildir file, is what compares with the archived bytes.
    /// </summary>
    public static async Task<List<byte[]>> FetchAsync(TestBedFixture bed, string user, int expected)
    {
        await bed.WaitForMessagesAsync(user, expected);
        using var imap = new ImapClient();
        imap.ServerCertificateValidationCallback = bed.Trust.Validate;
        await imap.ConnectAsync("127.0.0.1", bed.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(user, bed.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<byte[]>();
        for (int i = 0; i < imap.Inbox.Count; i++)
        {
            using Stream stream = await imap.Inbox.GetStreamAsync(i, string.Empty);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            messages.Add(copy.ToArray());
        }

        await imap.DisconnectAsync(true);
        return messages;
    }

    /// <summary>
    /// The delivered message is the archived bytes with only trace fields on top (Return-Path, Delivered-To,
    /// Received, written by Postfix and Dovecot; Resent-* when asked for).
    /// </summary>
    public static void AssertDeliveredUnchanged(byte[] archived, byte[] delivered)
    {
        Assert.True(delivered.AsSpan().EndsWith(archived),
            $"the delivered message does not end with the archived bytes:\n{System.Text.Encoding.UTF8.GetString(delivered)}");
    }

    /// <summary>The fields the servers and the replay put on top of the archived bytes.</summary>
    public static string Prepended(byte[] archived, byte[] delivered) =>
        System.Text.Encoding.UTF8.GetString(delivered, 0, delivered.Length - archived.Length);
}
