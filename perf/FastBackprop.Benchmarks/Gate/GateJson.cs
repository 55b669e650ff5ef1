using System.Text.Json;

namespace FastBackprop.Benchmarks.Gate;

/// <summary>The gate's result and baseline files (the same format): indented JSON, camelCase names.</summary>
internal static class GateJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        IgnoreReadOnlyProperties = true,
    };

    public static string Serialize(GateResult result) => JsonSerializer.Serialize(result, Options);

    /// <exception cref="FormatException">The text is not a gate result.</exception>
    public static GateResult Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<GateResult>(json, Options) is { Entries: not null } result
                ? result
                : throw new FormatException("The JSON is not a gate result: it has no entries.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"The JSON is not a gate result: {e.Message}", e);
        }
    }
}
