namespace WebhookSender;

/// <summary>One page of results, newest or smallest first depending on the query.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="NextCursor">Pass as the query's cursor to get the next page; <see langword="null"/> on the last page.</param>
public sealed record WebhookPage<T>(IReadOnlyList<T> Items, string? NextCursor);
