using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Finds a mailbox by name; a name the server does not know is a usage error that lists the mailboxes there are,
/// so a misspelt "Junk" is fixed at once instead of read as a broken server.
/// </summary>
public static class ImapFolderLookup
{
    /// <summary>At most this many names are listed in the error.</summary>
    private const int MaxListed = 30;

    /// <param name="thing">The account or target as the user wrote it, for the message.</param>
    /// <exception cref="MailRecoveryException">Usage, naming the mailbox and listing those that exist.</exception>
    public static async Task<IMailFolder> GetAsync(ImapClient client, string mailbox, string thing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.Equals(mailbox, "INBOX", StringComparison.OrdinalIgnoreCase))
            return client.Inbox;
        try
        {
            return await client.GetFolderAsync(mailbox, cancellationToken);
        }
        catch (FolderNotFoundException e)
        {
            IReadOnlyList<string> there = await ListAsync(client, cancellationToken);
            string listed = there.Count == 0 ? "none could be listed"
                : string.Join(", ", there.Take(MaxListed)) + (there.Count > MaxListed ? $" and {there.Count - MaxListed} more" : string.Empty);
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Mailbox,
                $"{thing}: the mailbox '{mailbox}' does not exist (the account has: {listed}).",
                "use one of those names, exactly as listed (names other than INBOX are case-sensitive).", e);
        }
    }

    /// <summary>Every mailbox's full name in the personal namespace (RFC 9051 §6.3.9 LIST), INBOX first.</summary>
    private static async Task<IReadOnlyList<string>> ListAsync(ImapClient client, CancellationToken cancellationToken)
    {
        if (client.PersonalNamespaces.Count == 0)
            return ["INBOX"];
        IList<IMailFolder> folders = await client.GetFoldersAsync(client.PersonalNamespaces[0], subscribedOnly: false, cancellationToken);
        return folders.Select(f => f.FullName)
            .OrderBy(n => string.Equals(n, "INBOX", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
    }
}
