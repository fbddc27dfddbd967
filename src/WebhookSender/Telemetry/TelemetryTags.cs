namespace WebhookSender;

/// <summary>
/// The tag (attribute) names of the library's metrics and spans, and their fixed values. Where the OpenTelemetry
/// semantic conventions define a name (HTTP client, messaging, errors) it is that name, so dashboards built for them
/// work; what they do not cover is under <c>webhooks.</c>. docs/operations.md lists which instrument and span carries which.
/// </summary>
internal static class TelemetryTags
{
    /// <summary>The published event's type; <c>batch</c> on metrics of a batch of mixed types.</summary>
    public const string EventType = "webhooks.event_type";

    /// <summary>How an attempt ended: <see cref="Outcomes"/>.</summary>
    public const string Outcome = "webhooks.outcome";

    /// <summary>Why a due delivery went back to the queue without an attempt: circuit_open, endpoint_busy, probation_full.</summary>
    public const string DeferReason = "webhooks.defer_reason";
    public const string CircuitState = "webhooks.circuit.state";

    /// <summary>The in-flight gauge's subscription id for all endpoints past the busiest.</summary>
    public const string OtherEndpoints = "_OTHER";

    /// <summary>The subscription (endpoint) a delivery span sends to; spans only, as there can be very many.</summary>
    public const string SubscriptionId = "webhooks.subscription.id";

    /// <summary>Set on the publish span when the idempotency key matched a stored message, so nothing new was stored.</summary>
    public const string Duplicate = "webhooks.message.duplicate";

    /// <summary>The <c>webhook-id</c>: the message id, or a batch's id.</summary>
    public const string MessageId = "messaging.message.id";

    /// <summary>How many messages a batch request carried.</summary>
    public const string BatchMessageCount = "messaging.batch.message_count";

    /// <summary>The messaging system: always <see cref="SystemName"/>.</summary>
    public const string MessagingSystem = "messaging.system";

    /// <summary>The generic kind of a messaging span: <c>send</c> for publishing, <c>process</c> for delivering.</summary>
    public const string OperationType = "messaging.operation.type";

    /// <summary>The library's own name of a messaging span's operation: <c>publish</c> or <c>deliver</c>.</summary>
    public const string OperationName = "messaging.operation.name";

    /// <summary>The receiver's status code, when a response arrived.</summary>
    public const string StatusCode = "http.response.status_code";

    /// <summary>
    /// Why an attempt failed, in few distinct values: the status code as text, <c>timeout</c>, <c>response_too_large</c>,
    /// <c>destination_refused</c>, HttpClient's own error names (<c>connection_error</c>, <c>name_resolution_error</c>…), or
    /// the type of what a host's handler threw.
    /// </summary>
    public const string ErrorType = "error.type";

    /// <summary>The receiver's host name or address, never its path or query (they can hold secrets); spans only.</summary>
    public const string ServerAddress = "server.address";

    /// <summary>The receiver's port; spans only.</summary>
    public const string ServerPort = "server.port";

    /// <summary>The value of <see cref="MessagingSystem"/>.</summary>
    public const string SystemName = "webhooks";

    /// <summary>The values of <see cref="Outcome"/>.</summary>
    public static class Outcomes
    {
        /// <summary>2xx: delivered.</summary>
        public const string Success = "success";

        /// <summary>A response that is not a success (nor 410).</summary>
        public const string Failure = "failure";

        /// <summary>No response: a transport error, a timeout, a refused destination.</summary>
        public const string Error = "error";

        /// <summary>410 Gone: the subscription is disabled.</summary>
        public const string Gone = "gone";
    }

    /// <summary>The values of <see cref="ErrorType"/> the library itself gives (besides status codes and HttpClient's names).</summary>
    public static class ErrorTypes
    {
        /// <summary>No complete response within <see cref="WebhookOptions.AttemptTimeout"/>.</summary>
        public const string Timeout = "timeout";

        /// <summary>A 2xx whose body is longer than <see cref="WebhookOptions.MaxResponseBodyBytes"/>.</summary>
        public const string ResponseTooLarge = "response_too_large";

        /// <summary>The destination guard refused the receiver's address.</summary>
        public const string DestinationRefused = "destination_refused";
        public const string OAuth2Token = "oauth2_token";

        /// <summary>The semantic conventions' value for a failure of no known kind.</summary>
        public const string Other = "_OTHER";
    }
}
