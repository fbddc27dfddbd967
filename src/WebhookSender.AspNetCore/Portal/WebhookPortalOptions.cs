namespace WebhookSender.AspNetCore;

/// <summary>What <c>MapWebhookPortal</c> serves: where its API is, how the page looks, who may frame it.</summary>
public sealed class WebhookPortalOptions
{
    /// <summary>
    /// Where the page finds the management API, as a path template whose route parameters come from the page's own
    /// route (<c>/api/workspaces/{workspaceId}/webhooks</c> for a portal at <c>/workspaces/{workspaceId}/webhooks/portal</c>).
    /// <see langword="null"/> (the default) finds the API <c>MapWebhooks</c> mapped, by its endpoint names and the page's
    /// route values. Ignored with <see cref="SignedLinks"/>, whose page calls an API of its own.
    /// </summary>
    public string? ApiPath { get; set; }

    /// <summary>
    /// The page is opened with a signed link from <see cref="WebhookPortalLinks"/> instead of the host's sign-in: it
    /// reads the link's token from the URL's fragment and calls an API mapped at <c>{prefix}/api</c> that lets in only
    /// requests with a valid link, for the link's tenant and permissions. The prefix must have no route parameters
    /// (the tenant comes from the link), and <c>AddPortalLinks()</c> must be registered.
    /// </summary>
    public bool SignedLinks { get; set; }

    /// <summary>The page's heading and title. Default "Webhooks".</summary>
    public string Title { get; set; } = "Webhooks";

    /// <summary>The host's logo shown beside the title: a path on this app (<c>/img/logo.svg</c>) or an https URL.</summary>
    public string? LogoUrl { get; set; }

    /// <summary>The colour of buttons, links and focus rings, as CSS hex (<c>#4f46e5</c>).</summary>
    public string PrimaryColor { get; set; } = "#4f46e5";

    /// <summary>The page's background colour, as CSS hex. Default white.</summary>
    public string BackgroundColor { get; set; } = "#ffffff";

    /// <summary>
    /// The origins allowed to show the page in an iframe (<c>https://app.example.com</c>), sent as the
    /// <c>frame-ancestors</c> of its Content-Security-Policy. Empty (the default) allows this app's own origin only.
    /// </summary>
    public IList<string> FrameAncestors { get; } = [];
}
