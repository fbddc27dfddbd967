using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace WebhookSender.Tests.Serialization;

/// <summary>
/// Reads a <c>form</c> body with ASP.NET Core's <see cref="FormReader"/> and rebuilds the nesting from the bracket
/// notation the way PHP and Rack do (every level keyed by its segment), without any code of the serializer.
/// </summary>
internal static class IndependentFormReader
{
    private static readonly JsonSerializerOptions CanonicalOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The decoded pairs in body order.</summary>
    public static async Task<List<KeyValuePair<string, string>>> ReadPairsAsync(byte[] body)
    {
        using var reader = new FormReader(new MemoryStream(body), Encoding.UTF8);
        var pairs = new List<KeyValuePair<string, string>>();
        while (await reader.ReadNextPairAsync() is { } pair)
        {
            pairs.Add(pair);
        }

        return pairs;
    }

    /// <summary>The pairs as a tree: <c>a[b][0]=x</c> becomes <c>{"a":{"b":{"0":"x"}}}</c>.</summary>
    public static JsonObject ToTree(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var root = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            var segments = SplitKey(key);
            var node = root;
            foreach (string segment in segments[..^1])
            {
                if (node[segment] is null)
                {
                    node[segment] = new JsonObject();
                }

                node = Assert.IsType<JsonObject>(node[segment]);
            }

            Assert.False(node.ContainsKey(segments[^1]), $"the key '{key}' repeats");
            node[segments[^1]] = value;
        }

        return root;
    }

    /// <summary>What the form carries for a JSON payload, by the documented rules, as the same kind of tree.</summary>
    public static JsonObject ExpectedTree(JsonElement payload) => payload.ValueKind switch
    {
        JsonValueKind.Object or JsonValueKind.Array => Container(payload) ?? new JsonObject(),
        _ => new JsonObject { ["value"] = Expected(payload) },
    };

    /// <summary>The documented form rules for one value: containers become objects keyed by name or index; everything else a string.</summary>
    public static JsonNode Expected(JsonElement value) => (JsonNode?)Container(value) ?? value.ValueKind switch
    {
        JsonValueKind.String => JsonValue.Create(value.GetString()!),
        JsonValueKind.Number => JsonValue.Create(value.GetRawText()),
        JsonValueKind.True => JsonValue.Create("true"),
        JsonValueKind.False => JsonValue.Create("false"),
        _ => JsonValue.Create(string.Empty), // null, {} and [] are all an empty value
    };

    public static string Canonical(JsonNode node) => node.ToJsonString(CanonicalOptions);

    private static JsonObject? Container(JsonElement value)
    {
        var result = new JsonObject();
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in value.EnumerateObject())
            {
                result[member.Name] = Expected(member.Value);
            }
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var element in value.EnumerateArray())
            {
                result[(index++).ToString(System.Globalization.CultureInfo.InvariantCulture)] = Expected(element);
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static string[] SplitKey(string key)
    {
        int open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return [key];
        }

        var segments = new List<string> { key[..open] };
        for (int i = open; i < key.Length;)
        {
            Assert.Equal('[', key[i]);
            int close = key.IndexOf(']', i);
            Assert.True(close > i, $"unbalanced brackets in '{key}'");
            segments.Add(key[(i + 1)..close]);
            i = close + 1;
        }

        return [.. segments];
    }
}
