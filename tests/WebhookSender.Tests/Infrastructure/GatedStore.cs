using System.Reflection;
using WebhookSender.Storage;

namespace WebhookSender.Tests.Infrastructure;

/// <summary>Forwards to a real store; the calls of one read method are counted and wait for the gate.</summary>
public class GatedStore : DispatchProxy
{
    private IWebhookStore _inner = null!;
    private string _gated = null!;

    /// <summary>Opens the gated reads; until then they wait.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Reads;

    /// <summary>A store whose <paramref name="method"/> (one returning a task of a value) is counted and gated.</summary>
    public static (IWebhookStore Store, GatedStore Gated) Create(IWebhookStore inner, string method)
    {
        var proxy = Create<IWebhookStore, GatedStore>();
        var gated = (GatedStore)(object)proxy;
        gated._inner = inner;
        gated._gated = method;
        return (proxy, gated);
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name != _gated)
        {
            return method.Invoke(_inner, args);
        }

        Interlocked.Increment(ref Reads);
        var read = typeof(GatedStore).GetMethod(nameof(ReadAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
        return read.MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).Invoke(this, [method, args]);
    }

    private async Task<T> ReadAsync<T>(MethodInfo method, object?[]? args)
    {
        await Gate.Task;
        return await (Task<T>)method.Invoke(_inner, args)!;
    }
}
