using System.Text;

namespace WebhookSender;

/// <summary>A body ready to sign and send, with what the mapping had to say about it.</summary>
internal sealed record SerializedPayload(byte[] Body, string MediaType)
{
    // The attempt log's copy of the body, decoded once: a payload is shared by every subscription and retry of a message.
    private LoggedText? _logged;

    /// <summary>Problems that did not stop the request, such as a mapped path missing from the event.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The body as the attempt log keeps it: its first <paramref name="maxBytes"/> bytes as UTF-8 text, and whether that is all of it.</summary>
    public (string Text, bool Truncated) LoggedBody(int maxBytes)
    {
        if (_logged is not { } logged || logged.MaxBytes != maxBytes)
        {
            int kept = Math.Min(Body.Length, maxBytes);
            _logged = logged = new LoggedText(maxBytes, Encoding.UTF8.GetString(Body, 0, kept), kept < Body.Length);
        }

        return (logged.Text, logged.Truncated);
    }

    private sealed record LoggedText(int MaxBytes, string Text, bool Truncated);
}
