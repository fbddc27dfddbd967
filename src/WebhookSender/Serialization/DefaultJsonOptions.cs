using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WebhookSender;

/// <summary>The default of <see cref="WebhookOptions.JsonSerializerOptions"/>.</summary>
internal static class DefaultJsonOptions
{
    /// <summary>
    /// The web defaults with the resolver set explicitly, as ASP.NET Core's JSON options do: an app that inserts its
    /// <c>JsonSerializerContext</c> in front (<c>TypeInfoResolverChain.Insert(0, …)</c>) keeps reflection for every
    /// other type where reflection is enabled, and under native AOT, where it is not, the chain holds the app's context only.
    /// </summary>
    public static JsonSerializerOptions Create() => new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault ? CreateReflectionResolver() : JsonTypeInfoResolver.Combine(),
    };

    [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
        Justification = "Only called where reflection-based serialization is enabled; native AOT and trimmed apps turn that feature switch off, and the call is removed with it.")]
    [UnconditionalSuppressMessage("AOT", "IL3050:RequiresDynamicCode",
        Justification = "Only called where reflection-based serialization is enabled; native AOT and trimmed apps turn that feature switch off, and the call is removed with it.")]
    private static DefaultJsonTypeInfoResolver CreateReflectionResolver() => new();
}
