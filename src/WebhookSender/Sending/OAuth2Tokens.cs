using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Access tokens of subscriptions with <see cref="WebhookAuthenticationScheme.OAuth2"/>: fetched from the receiver's
/// token endpoint with the client credentials grant, kept until shortly before they expire, and shared: concurrent
/// deliveries that need a token wait for one fetch, not one each. A token the endpoint refused (401) is fetched anew,
/// once, by whoever asks first.
/// </summary>
internal sealed class OAuth2Tokens(IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    // Past this many clients, expired tokens are dropped when a new client's token is fetched.
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxMargin = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// A token for <paramref name="auth"/>: the cached one while it is fresh and not <paramref name="rejected"/>, else a
    /// new one (one fetch for all who ask meanwhile). Throws <see cref="OAuth2TokenException"/> when the endpoint fails.
    /// </summary>
    /// <param name="auth">The client credentials and token endpoint.</param>
    /// <param name="transport">The subscription's proxy and TLS settings, which the token request travels by too.</param>
    /// <param name="invoker">The webhook client's handlers.</param>
    /// <param name="rejected">A token the endpoint just refused, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the fetch others share).</param>
    public async Task<string> GetAsync(WebhookAuthentication auth, EndpointTransport transport, HttpMessageInvoker invoker, string? rejected, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(KeyOf(auth), static _ => new Entry());
        Task<Token> fetch;
        lock (entry)
        {
            var now = timeProvider.GetUtcNow();
            if (entry.Current is { } token && now < token.RefreshAt && token.Value != rejected)
            {
                return token.Value;
            }

            // One fetch at a time per client; those who come while it runs share it. A finished one gave a token that
            // is stale or rejected by now (or failed): fetch again.
            if (entry.Fetch is not { IsCompleted: false } running)
            {
                entry.Fetch = running = FetchAsync(auth, transport, invoker, entry);
                TrimIfLarge();
            }

            fetch = running;
        }

        return (await fetch.WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>The token request, under its own timeout (the attempt timeout): one caller's cancellation must not fail the others.</summary>
    private async Task<Token> FetchAsync(WebhookAuthentication auth, EndpointTransport transport, HttpMessageInvoker invoker, Entry entry)
    {
        await Task.Yield(); // outside the entry's lock
        var settings = options.Value;
        using var timeout = new CancellationTokenSource(settings.AttemptTimeout, timeProvider);
        string host = auth.TokenUrl!.IsDefaultPort ? auth.TokenUrl.Host : $"{auth.TokenUrl.Host}:{auth.TokenUrl.Port}";
        var requestedAt = timeProvider.GetUtcNow();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, auth.TokenUrl) { Content = new FormUrlEncodedContent(Form(auth)) };
            request.Options.Set(EndpointTransport.OptionKey, transport);
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(auth.Username!)}:{Uri.EscapeDataString(auth.Secret!)}")));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.TryAddWithoutValidation("user-agent", settings.UserAgent);
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var (body, _) = await WebhookHttpSender.ReadCappedAsync(response.Content, settings.MaxResponseBodyBytes, timeout.Token).ConfigureAwait(false);
            var token = Parse(response, body, host, requestedAt, auth.Secret!);
            lock (entry)
            {
                entry.Current = token;
            }

            return token;
        }
        catch (OAuth2TokenException)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new OAuth2TokenException($"The OAuth2 token endpoint {host} did not answer within {settings.AttemptTimeout.TotalSeconds:0.###} s (AttemptTimeout).");
        }
        catch (Exception ex)
        {
            // Described as a webhook request's failure is (the guard's refusal, a refused connection…), naming the host only.
            string reason = WebhookHttpSender.DescribeError(ex, auth.TokenUrl);
            throw new OAuth2TokenException($"The request to the OAuth2 token endpoint failed: {CredentialRedaction.Scrub(reason, [auth.Secret!])}", ex);
        }
    }

    private static List<KeyValuePair<string, string>> Form(WebhookAuthentication auth)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (auth.Scopes is { Count: > 0 } scopes)
        {
            form.Add(new("scope", string.Join(' ', scopes)));
        }

        if (auth.Audience is { } audience)
        {
            form.Add(new("audience", audience));
        }

        return form;
    }

    /// <summary>The token of a 2xx JSON answer (RFC 6749 section 5.1); anything else is an error that says what came back.</summary>
    private Token Parse(HttpResponseMessage response, string body, string host, DateTimeOffset requestedAt, string secret)
    {
        JsonElement json = default;
        bool isJson = false;
        try
        {
            json = JsonElement.Parse(body);
            isJson = json.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
        }

        if (!response.IsSuccessStatusCode)
        {
            // RFC 6749 section 5.2: error and error_description say why (invalid_client, invalid_scope…).
            string detail = isJson && json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? $": {error.GetString()}" + (json.TryGetProperty("error_description", out var description) && description.ValueKind == JsonValueKind.String ? $" ({description.GetString()})" : "")
                : "";
            throw new OAuth2TokenException(CredentialRedaction.Scrub($"The OAuth2 token endpoint {host} answered {(int)response.StatusCode}{detail}.", [secret]));
        }

        if (!isJson || !json.TryGetProperty("access_token", out var accessToken) || accessToken.ValueKind != JsonValueKind.String || accessToken.GetString() is not { Length: > 0 } value
            || value.Any(c => c <= ' ' || c > '~'))
        {
            throw new OAuth2TokenException($"The OAuth2 token endpoint {host} answered {(int)response.StatusCode} without an access_token a header can carry.");
        }

        if (json.TryGetProperty("token_type", out var type) && type.ValueKind == JsonValueKind.String && !string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new OAuth2TokenException($"The OAuth2 token endpoint {host} gave a token of type '{type.GetString()}'; only Bearer tokens are sent.");
        }

        var lifetime = json.TryGetProperty("expires_in", out var expires) && expires.TryGetDouble(out double seconds) && seconds > 0 && seconds < 366 * 24 * 3600
            ? TimeSpan.FromSeconds(seconds)
            : DefaultLifetime;

        // Refreshed before it expires: a tenth of its life early, a minute at most.
        var margin = lifetime / 10 < MaxMargin ? lifetime / 10 : MaxMargin;
        return new Token(value, requestedAt + lifetime - margin);
    }

    /// <summary>The cache key: a hash of everything that decides the token, so no secret is kept as a key.</summary>
    private static string KeyOf(WebhookAuthentication auth) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', auth.TokenUrl, auth.Username, auth.Secret, string.Join(' ', auth.Scopes ?? []), auth.Audience))));

    private void TrimIfLarge()
    {
        if (_entries.Count < MaxEntries)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.Current is not { } token || token.RefreshAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed record Token(string Value, DateTimeOffset RefreshAt);

    private sealed class Entry
    {
        public Token? Current { get; set; }

        public Task<Token>? Fetch { get; set; }
    }
}
