using System.Net.Sockets;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using MailRecovery.Core.Errors;
using Polly.Timeout;

namespace MailRecovery.Tests.Errors;

public sealed class ErrorClassifierTests
{
    private const string Thing = "imap://u@h:993";

    [Fact]
    public void A_refused_login_is_an_authentication_failure_of_the_account()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new AuthenticationException("Authentication failed."), Thing);

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Equal(FailureScope.Account, e.Scope);
        Assert.StartsWith(Thing + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("(Authentication failed)", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.IsType<AuthenticationException>(e.InnerException);
    }

    [Fact]
    public void A_handshake_that_never_saw_a_certificate_is_a_port_that_does_not_speak_TLS()
    {
        // MailKit sets ServerCertificate when the server sent one (an untrusted certificate: FetchCommandTests and
        // ReplayConfigTests on the real bed say "not trusted" and --ca-file); without one, the port spoke no TLS.
        MailRecoveryException e = ErrorClassifier.Classify(new SslHandshakeException("handshake failed"), Thing);

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(FailureScope.Account, e.Scope);
        Assert.Contains("the port does not speak TLS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TLS_failure_outside_MailKit_is_a_certificate_problem_too()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new System.Security.Authentication.AuthenticationException("wrong version"), Thing);

        Assert.Equal(FailureKind.Certificate, e.Kind);
        Assert.NotNull(e.Fix);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused)]
    [InlineData(SocketError.HostUnreachable)]
    [InlineData(SocketError.TimedOut)]
    public void A_socket_error_is_transient(SocketError error)
    {
        MailRecoveryException e = ErrorClassifier.Classify(new SocketException((int)error), Thing);

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Equal(FailureScope.Account, e.Scope);
        Assert.Contains(error.ToString(), e.Message, StringComparison.Ordinal);
        Assert.True(e.IsTransient);
    }

    [Theory]
    [InlineData(28, "write failed")]
    [InlineData(122, "write failed")]
    [InlineData(0, "No space left on device : '/archive/tmp/x'")]
    [InlineData(0, "Disk quota exceeded")]
    public void A_full_disk_is_a_local_storage_failure_of_the_archive(int hresult, string message)
    {
        var io = new IOException(message, hresult);

        MailRecoveryException e = ErrorClassifier.Classify(io, "archive /a");

        Assert.True(ErrorClassifier.IsDiskFull(io));
        Assert.Equal(FailureKind.LocalStorage, e.Kind);
        Assert.Equal(FailureScope.Archive, e.Scope);
        Assert.Contains("disk is full", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.TemporaryFailure, ExitCodes.For(e));
    }

    [Fact]
    public void Another_IO_error_is_transient_not_disk_full()
    {
        var io = new IOException("Connection reset by peer");

        MailRecoveryException e = ErrorClassifier.Classify(io, Thing);

        Assert.False(ErrorClassifier.IsDiskFull(io));
        Assert.Equal(FailureKind.Transient, e.Kind);
    }

    // ENOTEMPTY is errno 39 = 0x27, which IsDiskFull takes for Windows' ERROR_HANDLE_DISK_FULL (.NET on Unix puts errno in HResult).
    [Fact]
    public void A_directory_not_empty_error_is_not_disk_full()
    {
        using var dir = new TestBed.TempDirectory();
        File.WriteAllText(dir.Sub("f"), "x");
        IOException io = Assert.ThrowsAny<IOException>(() => Directory.Delete(dir.Path, recursive: false));

        Assert.False(ErrorClassifier.IsDiskFull(io), $"HResult {io.HResult}: {io.Message}");
        Assert.NotEqual(FailureKind.LocalStorage, ErrorClassifier.Classify(io, "archive").Kind);
    }

    [Fact]
    public void Permission_denied_is_a_local_storage_failure()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new UnauthorizedAccessException("Access to the path '/a' is denied."), "archive /a");

        Assert.Equal(FailureKind.LocalStorage, e.Kind);
        Assert.Equal(FailureScope.Archive, e.Scope);
    }

    [Fact]
    public void A_broken_IMAP_stream_is_transient()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new ImapProtocolException("Unexpected token"), Thing);

        Assert.Equal(FailureKind.Transient, e.Kind);
        Assert.Equal(FailureScope.Account, e.Scope);
    }

    [Fact]
    public void A_refused_IMAP_command_is_permanent_for_the_mailbox()
    {
        var error = new ImapCommandException(ImapCommandResponse.No, "Mailbox doesn't exist: Archive", "The IMAP server replied to the 'EXAMINE' command with a 'NO' response.");

        MailRecoveryException e = ErrorClassifier.Classify(error, Thing);

        Assert.Equal(FailureKind.Permanent, e.Kind);
        Assert.Equal(FailureScope.Mailbox, e.Scope);
        Assert.Equal(ExitCodes.SomeFailed, ExitCodes.For(e));
    }

    [Fact]
    public void A_refused_POP3_command_is_permanent()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new Pop3CommandException("-ERR no such message"), Thing);

        Assert.Equal(FailureKind.Permanent, e.Kind);
    }

    [Theory]
    [InlineData(typeof(TimeoutRejectedException))]
    [InlineData(typeof(TimeoutException))]
    public void A_timeout_is_transient(Type type)
    {
        var error = (Exception)Activator.CreateInstance(type)!;

        Assert.Equal(FailureKind.Transient, ErrorClassifier.Classify(error, Thing).Kind);
    }

    [Fact]
    public void An_already_classified_error_passes_through_unchanged()
    {
        var known = MailRecoveryException.Usage("bad", "fix it");

        Assert.Same(known, ErrorClassifier.Classify(known, Thing));
    }

    [Fact]
    public void Anything_unknown_is_an_internal_error_that_names_the_thing_and_the_details_file()
    {
        MailRecoveryException e = ErrorClassifier.Classify(new InvalidOperationException("odd"), Thing);

        Assert.Equal(FailureKind.Internal, e.Kind);
        Assert.Equal(ExitCodes.SomeFailed, ExitCodes.For(e));
        Assert.StartsWith($"{Thing}: internal error (InvalidOperationException: odd); details in ", e.Message, StringComparison.Ordinal);
        File.Delete(e.Message.Split("details in ")[1].TrimEnd('.'));
    }
}
