using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Liblim.EfCore.Cli.Output;

/// <summary>The --json output: camelCase names, enums as camelCase strings, indented.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Written for a terminal or a script, never into HTML: quotes and non-ASCII text as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>A canonical JSON value as a JSON node of the output (not as a string); null stays null.</summary>
    public static JsonNode? Value(string? json) => json is null ? null : JsonNode.Parse(json);
}
