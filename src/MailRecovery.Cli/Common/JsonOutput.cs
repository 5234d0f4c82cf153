using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailRecovery.Cli.Common;

/// <summary>The one JSON style of every --json report: camelCase, indented, nulls omitted.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
