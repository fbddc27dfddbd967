using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.AspNetCore;

/// <summary>
/// The HTML shell of the portal: the <c>&lt;webhooks-portal&gt;</c> element with where its API is and the host's
/// branding, under a Content-Security-Policy that allows this app's own scripts, styles and API only.
/// </summary>
internal sealed partial class PortalPage
{
    /// <summary>The endpoint name of the host API's subscription list, by which the page finds the API.</summary>
    private const string ApiEndpointName = "ListWebhookSubscriptions";

    private readonly WebhookPortalOptions _options;
    private readonly string _contentSecurityPolicy;

    public PortalPage(WebhookPortalOptions options)
    {
        Validate(options);
        _options = options;
        string logoSource = options.LogoUrl is { } logo && Uri.TryCreate(logo, UriKind.Absolute, out var absolute)
            ? " " + absolute.GetLeftPart(UriPartial.Authority)
            : string.Empty;
        string ancestors = options.FrameAncestors.Count == 0 ? "'self'" : string.Join(' ', options.FrameAncestors);
        _contentSecurityPolicy = $"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{logoSource}; " +
            $"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}";
    }

    public IResult Render(HttpContext context)
    {
        string root = (context.Request.PathBase + context.Request.Path).Value!.TrimEnd('/');
        string? api = _options.SignedLinks ? root + "/api" : ApiPath(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = _contentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (api is null)
        {
            return TypedResults.Problem(
                $"MapWebhookPortal found no management API for this page: map it with app.MapWebhooks(...) (its route parameters must be the page's too), or set o.ApiPath.",
                statusCode: StatusCodes.Status500InternalServerError,
                title: "The webhooks portal is not set up");
        }

        var html = HtmlEncoder.Default;
        var page = new StringBuilder();
        page.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<title>").Append(html.Encode(_options.Title)).Append("</title>\n")
            .Append("<link rel=\"stylesheet\" href=\"").Append(html.Encode(root + "/assets/page.css")).Append("\">\n")
            .Append("<script type=\"module\" src=\"").Append(html.Encode(root + "/assets/portal.js")).Append("\"></script>\n")
            .Append("</head>\n<body>\n<webhooks-portal")
            .Append(" api=\"").Append(html.Encode(api)).Append('"')
            .Append(" auth=\"").Append(_options.SignedLinks ? "link" : "host").Append('"')
            .Append(" heading=\"").Append(html.Encode(_options.Title)).Append('"')
            .Append(" primary-color=\"").Append(html.Encode(_options.PrimaryColor)).Append('"')
            .Append(" background-color=\"").Append(html.Encode(_options.BackgroundColor)).Append('"');
        if (_options.LogoUrl is { } logoUrl)
        {
            page.Append(" logo=\"").Append(html.Encode(logoUrl)).Append('"');
        }

        page.Append("></webhooks-portal>\n</body>\n</html>\n");
        return TypedResults.Content(page.ToString(), "text/html; charset=utf-8");
    }

    /// <summary>The host API's path for this request: the template with the page's route values, or found by name.</summary>
    private string? ApiPath(HttpContext context)
    {
        if (_options.ApiPath is { } template)
        {
            string path = RouteParameter().Replace(template, match =>
                context.Request.RouteValues.TryGetValue(match.Groups[1].Value, out var value) && value is not null
                    ? Uri.EscapeDataString(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!)
                    : match.Value);
            return context.Request.PathBase + path.TrimEnd('/');
        }

        var links = context.RequestServices.GetRequiredService<LinkGenerator>();
        return links.GetPathByName(context, ApiEndpointName, context.Request.RouteValues)?.TrimEnd('/');
    }

    private static void Validate(WebhookPortalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Title, "options.Title");
        foreach (var (name, colour) in new[] { (nameof(options.PrimaryColor), options.PrimaryColor), (nameof(options.BackgroundColor), options.BackgroundColor) })
        {
            if (colour is null || !HexColour().IsMatch(colour))
            {
                throw new ArgumentException($"WebhookPortalOptions.{name} must be a CSS hex colour such as #4f46e5; '{colour}' is not.", "options");
            }
        }

        if (options.LogoUrl is { } logo && !(logo.StartsWith('/') && !logo.StartsWith("//", StringComparison.Ordinal)) &&
            !(Uri.TryCreate(logo, UriKind.Absolute, out var logoUri) && logoUri.Scheme == Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"WebhookPortalOptions.LogoUrl must be a path on this app (/img/logo.svg) or an https URL; '{logo}' is neither.", "options");
        }

        foreach (string origin in options.FrameAncestors)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || originUri.Scheme is not ("https" or "http") ||
                originUri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
            {
                throw new ArgumentException($"WebhookPortalOptions.FrameAncestors takes origins such as https://app.example.com; '{origin}' is not one.", "options");
            }
        }

        if (options.ApiPath is { } api && !api.StartsWith('/'))
        {
            throw new ArgumentException($"WebhookPortalOptions.ApiPath must be a path on this app, starting with '/'; '{api}' is not.", "options");
        }
    }

    [GeneratedRegex(@"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]
    private static partial Regex HexColour();

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex RouteParameter();
}
