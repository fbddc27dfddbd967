namespace WebhookSender.Storage;

/// <summary>The page-size rule every list query shares.</summary>
internal static class QueryLimits
{
    public const int MaxPageSize = 1000;

    public static void Check(int limit)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The page size (Limit) must be between 1 and {MaxPageSize}.");
        }
    }
}
