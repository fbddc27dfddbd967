namespace WebhookSender.Testing;

/// <summary>
/// An <see cref="IWebhookPublisher"/> for a host application's unit tests: it sends nothing and records every event
/// published, so a test can assert that the code under test published the right events.
/// </summary>
/// <remarks>
/// Register it in place of the real publisher, for example
/// <c>services.AddSingleton&lt;IWebhookPublisher&gt;(publisher)</c>. It does not check the event-type catalog,
/// subscriptions or idempotency keys. It is thread-safe.
/// </remarks>
public sealed class RecordingWebhookPublisher : IWebhookPublisher
{
    private readonly Lock _gate = new();
    private readonly List<WebhookEvent> _published = [];
    private readonly int _deliveryCount;

    /// <summary>
    /// The <see cref="PublishResult.DeliveryCount"/> every publish reports, as if that many subscriptions matched;
    /// 0 by default.
    /// </summary>
    public int DeliveryCount
    {
        get => _deliveryCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _deliveryCount = value;
        }
    }

    /// <summary>A snapshot of the events published so far, in call order.</summary>
    public IReadOnlyList<WebhookEvent> Published
    {
        get
        {
            lock (_gate)
            {
                return [.. _published];
            }
        }
    }

    /// <summary>Forgets the events published so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _published.Clear();
        }
    }

    /// <summary>
    /// Records the event and returns a result with a new <c>msg_</c> id and <see cref="DeliveryCount"/> deliveries.
    /// </summary>
    /// <param name="webhookEvent">The event to record.</param>
    /// <param name="cancellationToken">When already cancelled, nothing is recorded and the task is cancelled.</param>
    /// <returns>The result, completed synchronously.</returns>
    public Task<PublishResult> PublishAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<PublishResult>(cancellationToken);
        }

        lock (_gate)
        {
            _published.Add(webhookEvent);
        }

        return Task.FromResult(new PublishResult("msg_" + Guid.NewGuid().ToString("N"), DeliveryCount));
    }
}
