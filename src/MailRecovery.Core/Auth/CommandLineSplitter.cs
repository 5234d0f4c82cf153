using System.Text;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Splits a <c>tokenCommand</c> into argv the way a POSIX shell splits words (blanks separate; '…' is literal;
/// "…" keeps blanks and honours \" \\ \$ \`; a backslash outside quotes escapes the next character), and does
/// nothing else a shell does: no variables, globs, pipes or redirections. The program is run directly, so text
/// in the command never becomes shell code. Wrap the command in <c>sh -c '…'</c> to ask for a shell.
/// </summary>
public static class CommandLineSplitter
{
    /// <exception cref="MailRecoveryException">Usage: empty, or an unterminated quote or trailing backslash.</exception>
    public static IReadOnlyList<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                        words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    break;
                case '\'':
                    int close = command.IndexOf('\'', i + 1);
                    if (close < 0)
                        throw Unterminated(command, "'");
                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i = ReadDoubleQuoted(command, i + 1, word);
                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 >= command.Length)
                        throw Unterminated(command, "\\");
                    word.Append(command[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
            words.Add(word.ToString());
        if (words.Count == 0)
            throw MailRecoveryException.Usage("the token command is empty.", "give the program to run and its arguments, e.g. \"oama access user@example.com\".");
        return words;
    }

    /// <summary>Appends the text up to the closing quote; returns the closing quote's index.</summary>
    private static int ReadDoubleQuoted(string command, int start, StringBuilder word)
    {
        for (int i = start; i < command.Length; i++)
        {
            char c = command[i];
            if (c == '"')
                return i;
            if (c == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`')
                c = command[++i];
            word.Append(c);
        }

        throw Unterminated(command, "\"");
    }

    // The command itself may hold a secret as an argument: say what is wrong, not what it says.
    private static MailRecoveryException Unterminated(string command, string quote) =>
        MailRecoveryException.Usage($"the token command has an unterminated {quote} ({command.Length} characters).", "close the quote, or escape it with a backslash.");
}
