namespace WebhookSender;

/// <summary>Pull subscriptions: no URL, so nothing that shapes a request or its connection applies.</summary>
internal sealed partial class SubscriptionValidator
{
    private void ValidatePull(WebhookSubscriptionRequest request, Action<string, string> add)
    {
        if (!feedStores.Any())
        {
            add(nameof(request.Url), $"A URL is required, for example https://example.com/webhooks: without one the subscription is read by pull, and {UpdateReader.PullNotSupported}");
            return;
        }

        // Each names what the reader would expect to take effect, and why it cannot.
        void Refuse(bool set, string field, string what)
        {
            if (set)
            {
                add(field, $"A pull subscription (no URL) is read, not sent to, so it takes no {what}; remove it, or give the subscription a URL.");
            }
        }

        Refuse(request.Authentication is { Scheme: not WebhookAuthenticationScheme.None }, nameof(request.Authentication), "endpoint authentication");
        Refuse(request.Headers is { Count: > 0 }, nameof(request.Headers), "static headers");
        Refuse(request.ClientCertificate is not null, nameof(request.ClientCertificate), "client certificate");
        Refuse(request.TrustedRoots is { Count: > 0 }, nameof(request.TrustedRoots), "trusted roots");
        Refuse(request.Proxy is not null, nameof(request.Proxy), "proxy");
        Refuse(request.Batching is not null, nameof(request.Batching), "batching (a read already takes many messages at once)");
        Refuse(request.Controls is not null, nameof(request.Controls), "delivery controls (the reader sets its own pace)");
        Refuse(request.RetrySchedule is not null, nameof(request.RetrySchedule), "retry schedule (unread messages wait for the reader)");
        Refuse(request.Method != WebhookHttpMethod.Post, nameof(request.Method), "HTTP method");
    }
}
