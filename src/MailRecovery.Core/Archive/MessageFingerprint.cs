using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The content half of <see cref="MessageIdentity"/>: SHA-256 of a message without its delivery trace, computed
/// while the bytes stream past (nothing is held but the start of one header line).
/// <para>
/// What is left out: the leading run of header fields that the final deliveries add on top of a message (RFC 5321
/// §4.4 "trace" fields and their company, <see cref="IsTraceField"/>), up to the first field that is not one of
/// them. The two copies an alias delivers differ only there (each has its own <c>Delivered-To</c> and
/// <c>Received: … for</c>), and so does a message re-delivered over SMTP or LMTP (a new <c>Received</c>) or with
/// Resent-* fields on top. What is normalised: CRLF and LF count alike, and a missing final line end counts as
/// one, because SMTP, LMTP and many IMAP servers add them. Everything else counts byte for byte, so two messages
/// that differ anywhere below the trace (or share a Message-ID and nothing else) stay two messages.
/// </para>
/// </summary>
public sealed class MessageFingerprint : IDisposable
{
    /// <summary>A header line longer than this before its colon is not a field name: the trace ends there.</summary>
    private const int MaxFieldName = 998;

    private static readonly string[] TraceNames =
    [
        "Return-Path", "Delivered-To", "X-Original-To", "Received", "X-Received", "Envelope-To", "X-Envelope-To",
        "X-Delivered-To", "X-Original-Delivered-To", "Received-SPF", "Authentication-Results", "DKIM-Filter",
        "X-Virus-Scanned", "X-Virus-Status", "Status", "X-Status", "X-Keywords", "X-UID", "X-Rspamd-Queue-Id",
        "X-Rspamd-Server", "X-Rspamd-Action",
    ];

    private static readonly string[] TracePrefixes =
    [
        "Resent-", "ARC-", "X-Spam-", "X-MS-Exchange-", "X-Microsoft-", "X-Forefront-", "X-MS-Has-Attach",
        "X-MS-TNEF-", "X-Gm-", "X-Google-", "X-Apple-", "X-Rspamd-",
    ];

    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    /// <summary>Rented: a new 16 KB array per message was, after MimeKit's parser, the largest allocation of a fetch.</summary>
    private byte[] pending = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int pendingLength;
    private readonly byte[] line = new byte[MaxFieldName + 2];
    private int lineLength;
    private bool inTrace = true;
    private bool skippingLine;
    private bool pendingCr;
    private byte last = (byte)'\n';
    private bool any;

    /// <summary>Feeds the next bytes of the message, in order.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (inTrace && bytes.Length > 0)
            bytes = bytes[ConsumeTrace(bytes)..];
        if (bytes.Length > 0)
            Hash(bytes);
    }

    /// <summary>The fingerprint: lower-case hex SHA-256. The instance cannot be used afterwards.</summary>
    public string Finish()
    {
        if (inTrace && lineLength > 0)
            LeaveTrace(); // a message that ends inside its first line
        if (pendingCr)
            Emit("\r"u8);
        pendingCr = false;
        if (any && last != (byte)'\n')
            Emit("\n"u8);
        Flush();
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The fingerprint of a whole stream, read from its current position to its end.</summary>
    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var fingerprint = new MessageFingerprint();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
            fingerprint.Append(buffer.AsSpan(0, n));
        return fingerprint.Finish();
    }

    /// <summary>Of a file.</summary>
    public static async Task<string> ComputeAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = RegularFile.OpenRead(path, 1);
        return await ComputeAsync(file, cancellationToken);
    }

    /// <summary>
    /// True for the fields a delivery adds on top of a message: trace fields (RFC 5322 §3.6.7: Return-Path,
    /// Received), resent blocks (§3.6.6), the envelope recipients Postfix, Dovecot, Exim and qmail write, and the
    /// filter, authentication and mail-store stamps that Exchange Online, Gmail, Rspamd and SpamAssassin add there.
    /// </summary>
    public static bool IsTraceField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (string n in TraceNames)
        {
            if (name.Equals(n, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        foreach (string p in TracePrefixes)
        {
            if (name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }

    public void Dispose()
    {
        hash.Dispose();
        if (pending.Length > 0)
            ArrayPool<byte>.Shared.Return(pending);
        pending = [];
    }

    /// <summary>Consumes bytes of the leading trace block; returns how many. Leaves the trace at its first other line.</summary>
    private int ConsumeTrace(ReadOnlySpan<byte> bytes)
    {
        if (skippingLine)
        {
            int end = bytes.IndexOf((byte)'\n');
            if (end < 0)
                return bytes.Length;
            skippingLine = false;
            return end + 1;
        }

        // At the start of a line, or inside the first bytes of one (kept in 'line' until its kind is known).
        int used = 0;
        while (used < bytes.Length)
        {
            byte b = bytes[used];
            if (lineLength == 0 && b is (byte)' ' or (byte)'\t')
            {
                // A folded continuation of the trace field before it (RFC 5322 §2.2.3).
                skippingLine = true;
                return used;
            }

            if (b == (byte)':' || b == (byte)'\n' || lineLength == MaxFieldName)
            {
                bool trace = b == (byte)':' && lineLength > 0 && IsTraceField(Encoding.ASCII.GetString(line, 0, lineLength));
                if (trace)
                {
                    lineLength = 0;
                    skippingLine = true;
                    return used + 1;
                }

                LeaveTrace();
                return used;
            }

            line[lineLength++] = b;
            used++;
        }

        return used;
    }

    /// <summary>The current line is not trace: it and everything after it count.</summary>
    private void LeaveTrace()
    {
        inTrace = false;
        byte[] pending = line[..lineLength];
        lineLength = 0;
        Hash(pending);
    }

    /// <summary>Hashes with CRLF taken as LF (a CR is held back until the next byte shows what it is).</summary>
    private void Hash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            return;
        if (pendingCr)
        {
            pendingCr = false;
            if (bytes[0] != (byte)'\n')
                Emit("\r"u8);
        }

        while (bytes.Length > 0)
        {
            int cr = bytes.IndexOf((byte)'\r');
            if (cr < 0)
            {
                Emit(bytes);
                return;
            }

            Emit(bytes[..cr]);
            if (cr == bytes.Length - 1)
            {
                pendingCr = true;
                return;
            }

            if (bytes[cr + 1] != (byte)'\n')
                Emit("\r"u8);
            bytes = bytes[(cr + 1)..];
        }
    }

    /// <summary>
    /// Collects the normalised bytes in a buffer and hashes them a buffer at a time: mail has a CR every 80 bytes
    /// or so, and one hash call per line cost more than the hashing itself.
    /// </summary>
    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            return;
        last = bytes[^1];
        any = true;
        while (bytes.Length > 0)
        {
            int n = Math.Min(bytes.Length, pending.Length - pendingLength);
            bytes[..n].CopyTo(pending.AsSpan(pendingLength));
            pendingLength += n;
            bytes = bytes[n..];
            if (pendingLength == pending.Length)
                Flush();
        }
    }

    private void Flush()
    {
        hash.AppendData(pending, 0, pendingLength);
        pendingLength = 0;
    }
}
