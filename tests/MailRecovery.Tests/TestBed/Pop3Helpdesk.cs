using MailKit.Net.Pop3;
using MailKit.Security;
using MimeKit;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A helpdesk that pulls its account over POP3 (RETR, DELE, QUIT), storing each message as a file, as the README's
/// runbook describes. <see cref="PullAsync"/> can take only some messages, to place takes around a backup.
/// </summary>
public sealed class Pop3Helpdesk(TestBedFixture bed, string user, string store)
{
    /// <summary>Pulls and deletes the messages whose subject contains <paramref name="subject"/> (all when null).</summary>
    /// <returns>How many were pulled.</returns>
    public async Task<int> PullAsync(string? subject = null)
    {
        using var client = new Pop3Client { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.Pop3sPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        int pulled = 0;
        for (int i = 0; i < client.Count; i++)
        {
            using MimeMessage message = await client.GetMessageAsync(i);
            if (subject is not null && !(message.Subject ?? string.Empty).Contains(subject, StringComparison.Ordinal))
                continue;
            await message.WriteToAsync(Path.Combine(store, $"{Guid.NewGuid():N}.eml"));
            await client.DeleteMessageAsync(i);
            pulled++;
        }

        await client.DisconnectAsync(true);
        return pulled;
    }

    public List<string> StoredMessageIds() =>
        Directory.GetFiles(store, "*.eml").Select(f => MimeMessage.Load(f).MessageId ?? "(none)").ToList();

    public List<string> StoredSubjects() =>
        Directory.GetFiles(store, "*.eml").Select(f => MimeMessage.Load(f).Subject ?? "(none)").Order(StringComparer.Ordinal).ToList();
}
