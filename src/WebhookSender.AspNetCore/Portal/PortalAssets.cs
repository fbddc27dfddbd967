using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace WebhookSender.AspNetCore;

/// <summary>The portal's script and styles, embedded in the package (no CDN, no build step), served with an ETag.</summary>
internal static class PortalAssets
{
    private static readonly Dictionary<string, Asset> Files = new(StringComparer.Ordinal)
    {
        ["portal.js"] = Load("portal.js", "text/javascript; charset=utf-8"),
        ["portal.css"] = Load("portal.css", "text/css; charset=utf-8"),
        ["page.css"] = Load("page.css", "text/css; charset=utf-8"),
    };

    public static IResult Serve(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset Load(string name, string contentType)
    {
        string resource = "WebhookSender.AspNetCore.Portal." + name;
        using var stream = typeof(PortalAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The portal asset '{resource}' is missing from the assembly; the package was built without it.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        byte[] content = buffer.ToArray();
        string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8)) + "\"";
        return new Asset(content, contentType, etag);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
