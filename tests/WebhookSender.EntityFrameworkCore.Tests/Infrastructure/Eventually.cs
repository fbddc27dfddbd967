namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Polls a condition with a real-time deadline: for work done by background dispatchers.</summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        T value = await probe();
        while (!condition(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}. Last value: {value}");
            }

            await Task.Delay(25);
            value = await probe();
        }

        return value;
    }
}
