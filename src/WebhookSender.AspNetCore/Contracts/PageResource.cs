namespace WebhookSender.AspNetCore;

/// <summary>One page of a list, newest first or by id; pass <see cref="NextCursor"/> as <c>cursor</c> for the next.</summary>
/// <typeparam name="T">The items.</typeparam>
/// <param name="Items">This page's items.</param>
/// <param name="NextCursor">The cursor of the next page; <see langword="null"/> on the last.</param>
public sealed record PageResource<T>(IReadOnlyList<T> Items, string? NextCursor);
