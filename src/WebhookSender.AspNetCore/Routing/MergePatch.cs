using System.Text.Json;
using System.Text.Json.Nodes;

namespace WebhookSender.AspNetCore;

/// <summary>JSON Merge Patch (RFC 7386): objects merge member by member, <c>null</c> removes, anything else replaces.</summary>
internal static class MergePatch
{
    public static void Apply(JsonObject target, JsonElement patch)
    {
        foreach (var member in patch.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                target.Remove(member.Name);
            }
            else if (member.Value.ValueKind == JsonValueKind.Object && target[member.Name] is JsonObject nested)
            {
                Apply(nested, member.Value);
            }
            else
            {
                target[member.Name] = JsonNode.Parse(member.Value.GetRawText());
            }
        }
    }
}
