namespace WebhookSender.AotSmoke;

/// <summary>One request as <see cref="LoopbackReceiver"/> read it.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) =>
        Headers.TryGetValue(name, out string? value) ? value : throw new InvalidOperationException($"The request to {Path} has no '{name}' header.");
}
