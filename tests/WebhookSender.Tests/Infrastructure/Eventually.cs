namespace WebhookSender.Tests.Infrastructure;

/// <summary>Polls a condition with a real-time deadline: for work done by the background dispatcher.</summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        T value = await probe();
        while (!condition(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}. Last value: {Describe(value)}");
            }

            await Task.Delay(10);
            value = await probe();
        }

        return value;
    }

    private static string Describe<T>(T value) => value is System.Collections.IEnumerable list and not string
        ? $"{list.Cast<object>().Count()} items: " + string.Join("; ", list.Cast<object>().Take(5))
        : value?.ToString() ?? "null";
}
