using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MailRecovery.Core.Archive;

namespace MailRecovery.Tests.TestBed;

/// <summary>A helpdesk's IMAP account on the bed, as a test sees and changes it (the helpdesk's own actions).</summary>
public sealed class HelpdeskImapAccount(TestBedFixture bed, string user)
{
    public sealed record Message(UniqueId Uid, string? MessageId, string Subject, bool Seen, bool Deleted, long Size, string Fingerprint);

    public string User => user;

    /// <summary>Every message, with its flags and fingerprint (read with BODY.PEEK, in an EXAMINEd mailbox).</summary>
    public async Task<List<Message>> ListAsync()
    {
        using ImapClient client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var list = new List<Message>();
        if (client.Inbox.Count == 0)
            return list;
        foreach (IMessageSummary s in await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.Size))
        {
            using Stream stream = await client.Inbox.GetStreamAsync(s.UniqueId, string.Empty);
            string fingerprint = await MessageFingerprint.ComputeAsync(stream, CancellationToken.None);
            MessageFlags flags = s.Flags ?? MessageFlags.None;
            list.Add(new Message(s.UniqueId, s.Envelope?.MessageId?.Trim('<', '>'), s.Envelope?.Subject ?? string.Empty,
                flags.HasFlag(MessageFlags.Seen), flags.HasFlag(MessageFlags.Deleted), s.Size ?? 0, fingerprint));
        }

        return list;
    }

    /// <summary>The helpdesk takes and deletes the messages whose subject matches (a POP3 pull, or IMAP with expunge).</summary>
    public async Task ExpungeAsync(Func<string, bool> subject)
    {
        using ImapClient client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var uids = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope))
            .Where(s => subject(s.Envelope?.Subject ?? string.Empty)).Select(s => s.UniqueId).ToList();
        await client.Inbox.AddFlagsAsync(uids, MessageFlags.Deleted, silent: true);
        await client.Inbox.ExpungeAsync();
        await client.DisconnectAsync(true);
    }

    /// <summary>The helpdesk reads the messages whose subject matches and keeps them on the server (\Seen).</summary>
    public async Task MarkSeenAsync(Func<string, bool> subject)
    {
        using ImapClient client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var uids = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope))
            .Where(s => subject(s.Envelope?.Subject ?? string.Empty)).Select(s => s.UniqueId).ToList();
        await client.Inbox.AddFlagsAsync(uids, MessageFlags.Seen, silent: true);
        await client.DisconnectAsync(true);
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        return client;
    }
}
