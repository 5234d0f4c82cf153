using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A helpdesk that keeps its mail on the IMAP server and reads only unseen messages: it takes a message by
/// fetching it and flagging it \Seen.
/// </summary>
public sealed class ImapKeepHelpdesk(TestBedFixture bed, string user)
{
    /// <summary>Takes the unseen messages whose subject contains <paramref name="subject"/>; returns their subjects.</summary>
    public async Task<List<string>> TakeUnseenAsync(string subject)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var taken = new List<string>();
        foreach (UniqueId uid in await client.Inbox.SearchAsync(SearchQuery.NotSeen.And(SearchQuery.SubjectContains(subject))))
        {
            var message = await client.Inbox.GetMessageAsync(uid);
            await client.Inbox.AddFlagsAsync(uid, MessageFlags.Seen, true);
            taken.Add(message.Subject ?? string.Empty);
        }

        await client.DisconnectAsync(true);
        return taken;
    }
}
