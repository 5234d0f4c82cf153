using System.CommandLine;
using System.CommandLine.Parsing;

namespace MailRecovery.Cli.Common;

/// <summary>
/// The parser's complaints, reworded so that they never echo a value: an unknown option's argument may be a
/// password (<c>--password sato-pw</c> used to print "Unrecognized command or argument 'sato-pw'"), and a value
/// that does not parse is described by what the option expects in words, never by a .NET type name.
/// </summary>
internal static class UsageErrors
{
    private const string UnrecognizedPrefix = "Unrecognized command or argument";
    private const string CannotParsePrefix = "Cannot parse argument";

    public static IEnumerable<string> Describe(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool unrecognized = false;
        foreach (ParseError error in parsed.Errors)
        {
            string line;
            if (error.Message.StartsWith(UnrecognizedPrefix, StringComparison.Ordinal))
            {
                if (unrecognized)
                    continue;
                unrecognized = true;
                foreach (string text in Unrecognized(parsed.UnmatchedTokens))
                {
                    if (seen.Add(text))
                        yield return text;
                }

                continue;
            }

            if (error.Message.StartsWith(CannotParsePrefix, StringComparison.Ordinal))
                line = error.SymbolResult switch
                {
                    OptionResult o => $"{o.Option.Name}: expects {Expected(o.Option.ValueType)}.",
                    ArgumentResult { Parent: OptionResult o } => $"{o.Option.Name}: expects {Expected(o.Option.ValueType)}.",
                    ArgumentResult a => $"{a.Argument.Name}: expects {Expected(a.Argument.ValueType)}.",
                    _ => "a value could not be read (it is not shown: it may be a secret).",
                };
            else
                line = error.Message;
            if (seen.Add(line))
                yield return line;
        }
    }

    /// <summary>Options are named; anything else is only counted, since it may be the value of a mistyped option.</summary>
    private static IEnumerable<string> Unrecognized(IReadOnlyList<string> tokens)
    {
        int values = 0;
        foreach (string token in tokens)
        {
            if (token.StartsWith('-'))
                yield return $"unknown option '{OptionName(token)}'.";
            else
                values++;
        }

        if (values > 0)
            yield return values == 1
                ? "an unexpected argument (not shown: it may be the value of a mistyped option, such as a password)."
                : $"{values} unexpected arguments (not shown: they may be values of mistyped options, such as a password).";
    }

    /// <summary>The name of "--password=secret" is "--password".</summary>
    private static string OptionName(string token)
    {
        int equals = token.IndexOfAny(['=', ':']);
        return equals > 0 ? token[..equals] : token;
    }

    private static string Expected(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long) || t == typeof(uint))
            return "a whole number";
        if (t == typeof(double) || t == typeof(decimal) || t == typeof(float))
            return "a number";
        if (t == typeof(bool))
            return "true or false";
        if (t == typeof(DateTimeOffset) || t == typeof(DateTime))
            return "a date and time, e.g. 2025-01-31T09:00+09:00";
        if (t == typeof(TimeSpan))
            return "a duration, e.g. 01:30:00";
        if (t.IsEnum)
            return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()));
        return "a different value";
    }
}
