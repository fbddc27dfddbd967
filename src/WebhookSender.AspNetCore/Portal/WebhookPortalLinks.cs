using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace WebhookSender.AspNetCore;

/// <summary>
/// Issues and reads the short-lived signed links that open the portal for one tenant, in an iframe on another origin
/// or a new tab, without the host's sign-in. The host's backend asks for a link after its own checks; the link carries
/// the tenant, what its holder may do and when it expires, encrypted and signed with ASP.NET Core Data Protection (so
/// every instance that shares the key ring reads the links the others issue).
/// </summary>
public sealed class WebhookPortalLinks
{
    private const string Purpose = "WebhookSender.AspNetCore.PortalLinks.v1";
    private const byte Version = 1;

    private readonly IDataProtector _protector;
    private readonly WebhookPortalLinkOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the link issuer; registered by <c>AddPortalLinks()</c>.</summary>
    public WebhookPortalLinks(IDataProtectionProvider dataProtection, IOptions<WebhookPortalLinkOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _protector = dataProtection.CreateProtector(Purpose);
        _options = options.Value;
        _time = time;
    }

    /// <summary>
    /// A token for <paramref name="tenantId"/>: the credential the portal page sends to its API. Prefer
    /// <see cref="CreateLink"/>, which puts it where browsers do not send it on (the URL's fragment).
    /// </summary>
    /// <param name="tenantId">The tenant (workspace); the holder reaches nothing of any other.</param>
    /// <param name="permissions">What the holder may do; reading the log is always granted.</param>
    /// <param name="lifetime">How long the token works; default <see cref="WebhookPortalLinkOptions.DefaultLifetime"/>.</param>
    public string CreateToken(string tenantId, WebhookPortalPermissions permissions, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        if ((permissions & ~WebhookPortalPermissions.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(permissions), permissions, "The permissions name a value WebhookPortalPermissions does not have.");
        }

        var life = lifetime ?? _options.DefaultLifetime;
        if (life <= TimeSpan.Zero || life > _options.MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), life, $"A portal link lives more than zero and at most {_options.MaxLifetime} (WebhookPortalLinkOptions.MaxLifetime).");
        }

        var expiresAt = _time.GetUtcNow() + life;
        var tenant = Encoding.UTF8.GetBytes(tenantId);
        var payload = new byte[1 + 8 + 4 + tenant.Length];
        payload[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), expiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(9), (int)(permissions | WebhookPortalPermissions.ReadLog));
        tenant.CopyTo(payload, 13);
        return Base64Url.EncodeToString(_protector.Protect(payload));
    }

    /// <summary>
    /// The portal's address with a token for <paramref name="tenantId"/> in its fragment (<c>#token=…</c>): browsers
    /// send no fragment to servers or in a <c>Referer</c>, and the page removes it from the address bar once read.
    /// </summary>
    /// <param name="portalUrl">Where <c>MapWebhookPortal</c> serves the page, with <c>SignedLinks</c> on.</param>
    /// <param name="tenantId">The tenant (workspace).</param>
    /// <param name="permissions">What the holder may do; reading the log is always granted.</param>
    /// <param name="lifetime">How long the link works; default <see cref="WebhookPortalLinkOptions.DefaultLifetime"/>.</param>
    public Uri CreateLink(Uri portalUrl, string tenantId, WebhookPortalPermissions permissions, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(portalUrl);
        var builder = new UriBuilder(portalUrl) { Fragment = "token=" + CreateToken(tenantId, permissions, lifetime) };
        return builder.Uri;
    }

    /// <summary>Reads a token; <see langword="false"/> with the reason when it is missing, altered, foreign or expired.</summary>
    public bool TryRead(string? token, [NotNullWhen(true)] out WebhookPortalLink? link, [NotNullWhen(false)] out string? error)
    {
        link = null;
        if (string.IsNullOrEmpty(token))
        {
            error = "The request has no portal link token: send it as 'Authorization: Bearer <token>'. Ask the application for a link to the portal.";
            return false;
        }

        byte[] payload;
        try
        {
            payload = _protector.Unprotect(Base64Url.DecodeFromChars(token));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            error = "The portal link is not valid: it was not issued by this application, or it was altered. Ask the application for a new link.";
            return false;
        }

        if (payload.Length < 14 || payload[0] != Version)
        {
            error = "The portal link is of a version this application does not read. Ask the application for a new link.";
            return false;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1)));
        if (_time.GetUtcNow() >= expiresAt)
        {
            error = $"The portal link expired at {expiresAt:u}. Ask the application for a new link.";
            return false;
        }

        var permissions = (WebhookPortalPermissions)BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(9));
        link = new WebhookPortalLink(Encoding.UTF8.GetString(payload, 13, payload.Length - 13), permissions, expiresAt);
        error = null;
        return true;
    }
}
