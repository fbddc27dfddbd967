using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Makes one signed HTTP exchange and describes what happened (<see cref="HttpExchange"/>). Never throws for receiver behaviour (timeouts, resets,
/// redirects, huge bodies, refused destinations, and whatever a handler the host added throws): those are failed
/// attempts. Throws only when the caller cancels.
/// </summary>
/// <remarks>
/// It sends through the named client's handler pipeline from <see cref="IHttpMessageHandlerFactory"/> (the same pooled,
/// rotated handlers an <see cref="HttpClient"/> from the factory would use) with an <see cref="HttpMessageInvoker"/>: an
/// <see cref="HttpClient"/> per attempt would add its own cancellation source linked to ours, and a timeout we do not use.
/// </remarks>
internal sealed class WebhookHttpSender(
    IHttpMessageHandlerFactory handlerFactory,
    IWebhookSigner signer,
    OAuth2Tokens tokens,
    EndpointTransports transports,
    CredentialRedaction redaction,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider)
{
    public const string HttpClientName = "WebhookSender";
    private const string Redacted = CredentialRedaction.Marker;

    /// <summary>Sends one request and describes the exchange; what it means is <see cref="RetryPolicy"/>'s to say.</summary>
    /// <param name="subscription">Where to, how to sign and authenticate.</param>
    /// <param name="messageId">The <c>webhook-id</c>: the message id, or the batch id.</param>
    /// <param name="eventType">The <c>webhook-event-type</c> header; <see langword="null"/> for a batch of mixed types.</param>
    /// <param name="payload">The body.</param>
    /// <param name="cancellationToken">Cancels the attempt (shutdown); the result is then not produced.</param>
    public async Task<HttpExchange> SendAsync(
        WebhookSubscription subscription, string messageId, string? eventType, SerializedPayload payload, CancellationToken cancellationToken)
    {
        // Pull subscriptions are read, never sent to (the processor moves their deliveries to the feed).
        _ = subscription.Url ?? throw new InvalidOperationException($"The subscription {subscription.Id} has no URL: it is read by pull, not sent to.");
        var settings = options.Value;
        var startedAt = timeProvider.GetUtcNow();
        long started = timeProvider.GetTimestamp();
        var request = BuildRequest(subscription, messageId, eventType, payload, startedAt);
        var redacted = redaction.HeaderNamesFor(subscription);
        var requestRecord = DescribeRequest(request, payload.LoggedBody(settings.MaxLoggedRequestBodyBytes), redacted);
        var credentials = redaction.CredentialsOf(subscription);
        var oauth = subscription.Authentication is { Scheme: WebhookAuthenticationScheme.OAuth2 } o ? o : null;
        string? token = null;

        // The one attempt timeout: it bounds the whole exchange, connecting to the last byte of the body read. The caller's
        // cancellation (shutdown) cancels the same source through one registration: cheaper than a linked source per
        // attempt. It is told apart from the timeout by the caller's token.
        using var timeout = new CancellationTokenSource(settings.AttemptTimeout, timeProvider);
        using var shutdown = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), timeout);
        try
        {
            // The handler returns once the response headers are in; the body is read below, capped.
            using var invoker = new HttpMessageInvoker(handlerFactory.CreateHandler(HttpClientName), disposeHandler: false);
            HttpResponseMessage response;
            if (oauth is null)
            {
                response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                // OAuth2: a token first (cached, shared); a 401 may mean it was revoked or expired early, so one new token
                // and one more try, within the same attempt and timeout.
                token = await tokens.GetAsync(oauth, transports.For(subscription), invoker, rejected: null, timeout.Token).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    response.Dispose();
                    request.Dispose();
                    token = await tokens.GetAsync(oauth, transports.For(subscription), invoker, rejected: token, timeout.Token).ConfigureAwait(false);
                    request = BuildRequest(subscription, messageId, eventType, payload, startedAt);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
                }
            }

            using var answered = response;
            credentials = token is null ? credentials : [.. credentials, token];
            var (body, truncated) = await ReadCappedAsync(response.Content, settings.MaxResponseBodyBytes, timeout.Token).ConfigureAwait(false);

            // A receiver that echoes the request back would put its credentials into the log: they are replaced before
            // the attempt is stored or handed to notifications. The receiver's own words end our sentences: a full stop
            // of theirs would double ours.
            var responseRecord = new AttemptResponse(
                (int)response.StatusCode, DescribeHeaders(response.Headers, response.Content.Headers, redacted, credentials), CredentialRedaction.Scrub(body, credentials), truncated);
            string? phrase = response.ReasonPhrase?.TrimEnd('.', ' ') is { Length: > 0 } trimmed ? CredentialRedaction.Scrub(trimmed, credentials) : null;
            return new HttpExchange(startedAt, Elapsed(), requestRecord, responseRecord, phrase, Failure: null, RetryAfter(response));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OAuth2TokenException ex)
        {
            return Failed($"No OAuth2 token, so no request was sent: {ex.Message}", TelemetryTags.ErrorTypes.OAuth2Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed($"No complete response within {settings.AttemptTimeout.TotalSeconds:0.###} s (AttemptTimeout); the endpoint must answer faster.", TelemetryTags.ErrorTypes.Timeout);
        }
        catch (Exception ex)
        {
            // Transport errors, and anything a handler the host added throws (a Polly timeout or open circuit, say): the
            // attempt failed and is retried; it never takes the dispatcher down.
            return Failed(DescribeError(ex, subscription.Url!) + TlsHint(ex, subscription), ErrorTypeOf(ex));
        }
        finally
        {
            request.Dispose();
        }

        TimeSpan Elapsed() => timeProvider.GetElapsedTime(started);
        HttpExchange Failed(string error, string errorType) =>
            new(startedAt, Elapsed(), requestRecord, Response: null, ReasonPhrase: null, new TransportFailure(CredentialRedaction.Scrub(error, credentials), errorType), RetryAfter: null);
    }

    /// <summary>The signed request: Standard Webhooks headers, the subscription's own headers, its authentication.</summary>
    private HttpRequestMessage BuildRequest(WebhookSubscription subscription, string messageId, string? eventType, SerializedPayload payload, DateTimeOffset startedAt)
    {
        var request = new HttpRequestMessage(subscription.Method == WebhookHttpMethod.Put ? HttpMethod.Put : HttpMethod.Post, subscription.Url);
        var transport = transports.For(subscription);
        if (!transport.IsHostDefault)
        {
            request.Options.Set(EndpointTransport.OptionKey, transport);
        }

        request.Content = new ByteArrayContent(payload.Body);
        request.Content.Headers.TryAddWithoutValidation("content-type", payload.MediaType); // the serializer's own, valid value
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", startedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", Sign(subscription, messageId, startedAt, payload.Body));
        request.Headers.TryAddWithoutValidation("user-agent", options.Value.UserAgent);
        if (eventType is not null)
        {
            request.Headers.TryAddWithoutValidation("webhook-event-type", eventType);
        }

        foreach (var (name, value) in subscription.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        AddAuthentication(request, subscription.Authentication);
        return request;
    }

    /// <summary>The <c>webhook-signature</c> value: <c>v1</c> with the live secrets and <c>v1a</c> with the live signing keys, as the subscription asks.</summary>
    private string Sign(WebhookSubscription subscription, string messageId, DateTimeOffset startedAt, byte[] body)
    {
        var schemes = subscription.Signatures;
        IReadOnlyList<WebhookSecret> secrets = schemes.HasFlag(WebhookSignatures.V1) ? Live(subscription.Secrets, startedAt, static (s, now) => s.IsLiveAt(now)) : [];
        if (!schemes.HasFlag(WebhookSignatures.V1a))
        {
            return signer.Sign(messageId, startedAt, body, secrets);
        }

        return signer.Sign(messageId, startedAt, body, secrets, Live(subscription.SigningKeys, startedAt, static (k, now) => k.IsLiveAt(now)));
    }

    /// <summary>The secrets or keys that sign now: usually all of them, so the subscription's own list is used as it is.</summary>
    private static IReadOnlyList<T> Live<T>(IReadOnlyList<T> all, DateTimeOffset now, Func<T, DateTimeOffset, bool> isLive)
    {
        for (int i = 0; i < all.Count; i++)
        {
            if (!isLive(all[i], now))
            {
                return [.. all.Where(item => isLive(item, now))];
            }
        }

        return all;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay is { } d && d < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    internal static string DescribeError(Exception ex, Uri url)
    {
        // Name the host only: paths and query strings may carry secrets.
        string host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
        if (ex is not (HttpRequestException or IOException or OperationCanceledException))
        {
            // Thrown by a handler the host added (the transport throws only the types above): its own words.
            return $"A handler of the webhook HttpClient failed the request to {host}: {ex.GetType().Name}: {ex.Message}";
        }

        bool brokenConnection = false;
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookDestinationRefusedException refused)
            {
                return refused.Message;
            }

            brokenConnection |= inner is IOException or System.Net.Sockets.SocketException;
        }

        string detail = ex.InnerException?.Message ?? ex.Message;
        return (ex as HttpRequestException)?.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"The host name {url.Host} could not be resolved.",
            HttpRequestError.ConnectionError => $"Could not connect to {host}: {detail}",
            HttpRequestError.SecureConnectionError => $"The TLS handshake with {host} failed: {detail}",
            HttpRequestError.InvalidResponse => $"{host} sent a response that is not valid HTTP.",
            HttpRequestError.ResponseEnded => $"The connection to {host} was closed or reset before a complete response arrived.",
            _ when brokenConnection => $"The connection to {host} was closed or reset before a complete response arrived ({detail}).",
            _ => $"The request to {host} failed: {ex.GetType().Name}: {ex.Message}",
        };
    }

    /// <summary>
    /// What to check when an https exchange failed in a way mutual TLS or a private CA explains: a server that refuses the
    /// client certificate closes the connection after the handshake (TLS 1.3 gives no reason), and an untrusted chain may
    /// need the endpoint's CA as a trusted root. Empty for anything else.
    /// </summary>
    private static string TlsHint(Exception ex, WebhookSubscription subscription)
    {
        if (subscription.Url?.Scheme != Uri.UriSchemeHttps || ex is not HttpRequestException request)
        {
            return string.Empty;
        }

        bool closed = ex.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } || request.HttpRequestError == HttpRequestError.ResponseEnded;
        bool untrusted = request.HttpRequestError == HttpRequestError.SecureConnectionError && ex.InnerException is System.Security.Authentication.AuthenticationException;
        return (closed, untrusted, subscription.ClientCertificate, subscription.TrustedRoots.Count) switch
        {
            (true, _, { } certificate, _) => $" If the endpoint requires mutual TLS, it may have refused the client certificate {certificate.Subject} (SHA-256 {certificate.Thumbprint}): a refused certificate shows as a closed connection.",
            (true, _, null, _) => " If the endpoint requires mutual TLS, give the subscription a ClientCertificate.",
            (_, true, _, 0) => " If the endpoint's certificate comes from a private certificate authority, give the subscription that authority's certificate as TrustedRoots.",
            (_, true, _, _) => " The subscription trusts only its TrustedRoots; check that the endpoint's certificate is issued by one of them.",
            _ => string.Empty,
        };
    }

    /// <summary>
    /// The <c>error.type</c> of a failure <see cref="DescribeError"/> describes: HttpClient's own names for its errors
    /// (as its <c>http.client.request.duration</c> metric has them), the guard's refusal, or the type of what a handler threw.
    /// </summary>
    private static string ErrorTypeOf(Exception ex)
    {
        if (ex is not (HttpRequestException or IOException or OperationCanceledException))
        {
            return ex.GetType().FullName ?? TelemetryTags.ErrorTypes.Other;
        }

        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookDestinationRefusedException)
            {
                return TelemetryTags.ErrorTypes.DestinationRefused;
            }

            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.ProxyTunnelError })
            {
                return "proxy_tunnel_error"; // our own tunnel's failure, wrapped by the handler as a connection error
            }
        }

        var error = ex switch
        {
            HttpRequestException request => request.HttpRequestError,
            HttpIOException io => io.HttpRequestError, // reading the body
            _ => HttpRequestError.Unknown,
        };
        return error switch
        {
            HttpRequestError.NameResolutionError => "name_resolution_error",
            HttpRequestError.ConnectionError => "connection_error",
            HttpRequestError.SecureConnectionError => "secure_connection_error",
            HttpRequestError.HttpProtocolError => "http_protocol_error",
            HttpRequestError.ExtendedConnectNotSupported => "extended_connect_not_supported",
            HttpRequestError.VersionNegotiationError => "version_negotiation_error",
            HttpRequestError.UserAuthenticationError => "user_authentication_error",
            HttpRequestError.ProxyTunnelError => "proxy_tunnel_error",
            HttpRequestError.InvalidResponse => "invalid_response",
            HttpRequestError.ResponseEnded => "response_ended",
            HttpRequestError.ConfigurationLimitExceeded => "configuration_limit_exceeded",
            _ => ex.GetType().FullName ?? TelemetryTags.ErrorTypes.Other,
        };
    }

    /// <summary>The body, read up to <paramref name="limit"/> bytes and never further, and whether there was more.</summary>
    internal static async ValueTask<(string Body, bool Truncated)> ReadCappedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        // Most receivers answer with an empty body: nothing to read, nothing to allocate.
        if (content.Headers.ContentLength == 0)
        {
            return (string.Empty, false);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Read at most limit + 1 bytes: enough to know the body is too large without buffering the rest. The buffer
            // is pooled (a fresh one per attempt was most of the dispatcher's allocations) and grows only for long bodies.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 4 * 1024));
            int kept = 0;
            try
            {
                while (kept <= limit)
                {
                    if (kept == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit + 1L, buffer.Length * 2L));
                        buffer.AsSpan(0, kept).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(kept, Math.Min(buffer.Length, limit + 1) - kept), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    kept += read;
                }

                return (Encoding.UTF8.GetString(buffer, 0, Math.Min(kept, limit)), kept > limit);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static void AddAuthentication(HttpRequestMessage request, WebhookAuthentication? auth)
    {
        switch (auth?.Scheme)
        {
            case WebhookAuthenticationScheme.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Secret}")));
                break;
            case WebhookAuthenticationScheme.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", auth.Secret);
                break;
            case WebhookAuthenticationScheme.Header:
                request.Headers.TryAddWithoutValidation(auth.HeaderName!, auth.Secret);
                break;
        }
    }

    private static AttemptRequest DescribeRequest(HttpRequestMessage request, (string Text, bool Truncated) body, HashSet<string> redacted) => new(
        request.Method.Method,
        request.RequestUri!.ToString(),
        DescribeHeaders(request.Headers, request.Content?.Headers, redacted, credentials: []),
        body.Text,
        body.Truncated);

    /// <summary>The headers as logged: values of <paramref name="redacted"/> names hidden, <paramref name="credentials"/> scrubbed from the others.</summary>
    private static RecordedHeaders DescribeHeaders(HttpHeaders headers, HttpHeaders? contentHeaders, HashSet<string> redacted, string[] credentials)
    {
        // A name is in one of the two collections only, once: the pairs are distinct by name.
        var pairs = new string[2 * (headers.NonValidated.Count + (contentHeaders?.NonValidated.Count ?? 0))];
        int next = 0;
        Describe(headers);
        if (contentHeaders is not null)
        {
            Describe(contentHeaders);
        }

        return new RecordedHeaders(pairs);

        void Describe(HttpHeaders source)
        {
            foreach (var (name, values) in source.NonValidated)
            {
                pairs[next++] = name;
                pairs[next++] = redacted.Contains(name) ? Redacted : CredentialRedaction.Scrub(Join(values), credentials);
            }
        }

        // Headers nearly always have one value; enumerating the struct directly avoids boxing it for string.Join.
        static string Join(HeaderStringValues values)
        {
            if (values.Count == 1)
            {
                foreach (string value in values)
                {
                    return value;
                }
            }

            return string.Join(", ", values);
        }
    }
}
