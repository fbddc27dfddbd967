using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace WebhookSender.Testing;

/// <summary>
/// What a <see cref="WebhookTestReceiver"/> does with a request: a status code, a slow or huge answer, or a dropped
/// connection. Create one with the factory methods and register it with <see cref="WebhookTestReceiver.Respond(string, ReceiverResponse)"/>.
/// </summary>
/// <remarks>Instances are immutable and can be shared between paths and receivers.</remarks>
public sealed class ReceiverResponse
{
    private const int ChunkSize = 64 * 1024;

    // Shared, never written: LargeBody streams the same zero-filled chunk repeatedly.
    private static readonly byte[] Chunk = new byte[ChunkSize];

    private readonly string _description;
    private readonly Func<HttpContext, ReceivedWebhook, CancellationToken, Task> _execute;

    private ReceiverResponse(string description, Func<HttpContext, ReceivedWebhook, CancellationToken, Task> execute)
    {
        _description = description;
        _execute = execute;
    }

    /// <summary>Answers 200 with an empty body. This is what the receiver does when no response is scripted.</summary>
    /// <returns>The response.</returns>
    public static ReceiverResponse Ok() => Status(StatusCodes.Status200OK);

    /// <summary>Answers with the given status code and an optional <c>text/plain</c> body.</summary>
    /// <param name="statusCode">A final status code from 200 to 599.</param>
    /// <param name="body">The body text, sent as UTF-8; empty when <see langword="null"/>.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse Status(int statusCode, string? body = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);

        return new ReceiverResponse(
            string.Create(CultureInfo.InvariantCulture, $"{statusCode}"),
            (context, _, cancellationToken) => WriteStatusAsync(context, statusCode, body, cancellationToken));
    }

    /// <summary>Answers 410 Gone, which tells a sender that the endpoint no longer exists.</summary>
    /// <returns>The response.</returns>
    public static ReceiverResponse Gone() => Status(StatusCodes.Status410Gone);

    /// <summary>Answers 429 Too Many Requests, with a <c>Retry-After</c> header when <paramref name="retryAfter"/> is given.</summary>
    /// <param name="retryAfter">The delay to ask for; sent in whole seconds, rounded up. No header when <see langword="null"/>.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse TooManyRequests(TimeSpan? retryAfter) => WithRetryAfter(StatusCodes.Status429TooManyRequests, retryAfter);

    /// <summary>Answers 503 Service Unavailable, with a <c>Retry-After</c> header when <paramref name="retryAfter"/> is given.</summary>
    /// <param name="retryAfter">The delay to ask for; sent in whole seconds, rounded up. No header when <see langword="null"/>.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse ServiceUnavailable(TimeSpan? retryAfter) => WithRetryAfter(StatusCodes.Status503ServiceUnavailable, retryAfter);

    /// <summary>Answers 302 Found with the given <c>Location</c>; a webhook sender should not follow it.</summary>
    /// <param name="location">The absolute or relative URL to redirect to.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse Redirect(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);

        return new ReceiverResponse(
            $"302 to {location}",
            (context, _, _) =>
            {
                context.Response.StatusCode = StatusCodes.Status302Found;
                context.Response.Headers.Location = location;
                context.Response.ContentLength = 0;
                return Task.CompletedTask;
            });
    }

    /// <summary>
    /// Waits <paramref name="delay"/> before answering 200, to exercise a sender's timeout. Stops waiting when the
    /// client gives up; when the receiver is disposed first, the connection is aborted without an answer.
    /// </summary>
    /// <param name="delay">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until the client or the receiver gives up.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse Hang(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must be positive, zero or Timeout.InfiniteTimeSpan.");
        }

        return new ReceiverResponse(
            string.Create(CultureInfo.InvariantCulture, $"200 after {delay}"),
            async (context, _, cancellationToken) =>
            {
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    context.Abort();
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentLength = 0;
            });
    }

    /// <summary>
    /// Answers 200 with <paramref name="bytes"/> zero bytes of <c>application/octet-stream</c>, streamed in 64 KiB
    /// chunks, to exercise a sender's limit on how much of a response it reads. Stops when the client disconnects.
    /// </summary>
    /// <param name="bytes">The body size, for example <c>5 * 1024 * 1024</c>.</param>
    /// <returns>The response.</returns>
    public static ReceiverResponse LargeBody(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);

        return new ReceiverResponse(
            string.Create(CultureInfo.InvariantCulture, $"200 with {bytes} bytes"),
            async (context, _, cancellationToken) =>
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = bytes;
                try
                {
                    for (var remaining = bytes; remaining > 0; remaining -= ChunkSize)
                    {
                        await context.Response.Body.WriteAsync(Chunk.AsMemory(0, Math.Min(ChunkSize, remaining)), cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    context.Abort();
                }
            });
    }

    /// <summary>Drops the connection without sending any response, as a crashed server or a reset would.</summary>
    /// <returns>The response.</returns>
    public static ReceiverResponse Reset() => new(
        "connection reset",
        (context, _, _) =>
        {
            context.Abort();
            return Task.CompletedTask;
        });

    /// <summary>
    /// Answers the first request on the path with the first response, the second with the second, and so on;
    /// once the list runs out, the last response repeats.
    /// </summary>
    /// <param name="responses">At least one response.</param>
    /// <returns>The response.</returns>
    /// <remarks>
    /// The position is <see cref="ReceivedWebhook.AttemptNumberForPath"/>, which counts every request on the path since the
    /// receiver started, including any that arrived before the sequence was registered.
    /// </remarks>
    public static ReceiverResponse Sequence(params ReceiverResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Length == 0)
        {
            throw new ArgumentException("Pass at least one response; the last one repeats once the sequence runs out.", nameof(responses));
        }

        if (Array.IndexOf(responses, null) >= 0)
        {
            throw new ArgumentException("The responses must not contain null.", nameof(responses));
        }

        var steps = (ReceiverResponse[])responses.Clone();
        return new ReceiverResponse(
            $"sequence [{string.Join(", ", steps.Select(step => step._description))}]",
            (context, received, cancellationToken) =>
                steps[Math.Min(received.AttemptNumberForPath, steps.Length) - 1].ExecuteAsync(context, received, cancellationToken));
    }

    /// <summary>
    /// Fails the first <paramref name="failures"/> requests on the path with <paramref name="statusCode"/>, then answers 200.
    /// <c>FailTimesThenOk(2)</c> gives 500, 500, 200, 200….
    /// </summary>
    /// <param name="failures">How many requests fail; zero means every request succeeds.</param>
    /// <param name="statusCode">The failure status code, from 400 to 599.</param>
    /// <returns>The response.</returns>
    /// <remarks>Like <see cref="Sequence"/>, this counts with <see cref="ReceivedWebhook.AttemptNumberForPath"/>.</remarks>
    public static ReceiverResponse FailTimesThenOk(int failures, int statusCode = StatusCodes.Status500InternalServerError)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);

        var failure = Status(statusCode);
        var success = Ok();
        return new ReceiverResponse(
            string.Create(CultureInfo.InvariantCulture, $"{statusCode} ×{failures}, then 200"),
            (context, received, cancellationToken) =>
                (received.AttemptNumberForPath <= failures ? failure : success).ExecuteAsync(context, received, cancellationToken));
    }

    /// <summary>Describes the response, for example <c>503 Retry-After 30</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => _description;

    internal Task ExecuteAsync(HttpContext context, ReceivedWebhook received, CancellationToken cancellationToken) =>
        _execute(context, received, cancellationToken);

    private static ReceiverResponse WithRetryAfter(int statusCode, TimeSpan? retryAfter)
    {
        if (retryAfter is null)
        {
            return Status(statusCode);
        }

        if (retryAfter.Value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "Retry-After must not be negative.");
        }

        // Retry-After carries whole seconds; rounding up never asks the sender to come back too early.
        var seconds = ((long)Math.Ceiling(retryAfter.Value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ReceiverResponse(
            string.Create(CultureInfo.InvariantCulture, $"{statusCode} Retry-After {seconds}"),
            (context, _, cancellationToken) =>
            {
                context.Response.Headers.RetryAfter = seconds;
                return WriteStatusAsync(context, statusCode, body: null, cancellationToken);
            });
    }

    private static async Task WriteStatusAsync(HttpContext context, int statusCode, string? body, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = statusCode;
        if (string.IsNullOrEmpty(body))
        {
            context.Response.ContentLength = 0;
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        try
        {
            await context.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }
}
