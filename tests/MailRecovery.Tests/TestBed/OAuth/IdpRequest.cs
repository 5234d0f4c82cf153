using System.Net.Security;
using System.Text;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>One HTTP/1.1 request as the stand-in identity provider reads it: method, path, headers, form body.</summary>
public sealed record IdpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form)
{
    public string? this[string formField] => Form.TryGetValue(formField, out string? v) ? v : null;

    /// <summary>The request target's query parameters (the authorization endpoint's GET).</summary>
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads a request (headers up to the blank line, then Content-Length bytes); null at end of stream.</summary>
    public static async Task<IdpRequest?> ReadAsync(SslStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
                return null;
            head.Add(one[0]);
        }

        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        int length = headers.TryGetValue("Content-Length", out string? l) ? int.Parse(l) : 0;
        byte[] body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        string path = requestLine[1];
        int query = path.IndexOf('?');
        return new IdpRequest(requestLine[0], query < 0 ? path : path[..query], headers, ParseForm(Encoding.UTF8.GetString(body)))
        {
            Query = query < 0 ? new Dictionary<string, string>() : ParseForm(path[(query + 1)..]),
        };
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    private static Dictionary<string, string> ParseForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            form[Unescape(kv[0])] = kv.Length > 1 ? Unescape(kv[1]) : "";
        }

        return form;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
