namespace WebhookSender.AspNetCore;

/// <summary>One HTTP exchange with its request and response, credentials redacted.</summary>
/// <param name="Attempt">When, what, and how it ended.</param>
/// <param name="Request">The request sent: method, URL, headers, body.</param>
/// <param name="Response">The response: status code, headers, body; <see langword="null"/> when none arrived.</param>
/// <param name="Warnings">What the payload mapping could not do.</param>
public sealed record AttemptResource(AttemptSummaryResource Attempt, AttemptRequest Request, AttemptResponse? Response, IReadOnlyList<string> Warnings);
