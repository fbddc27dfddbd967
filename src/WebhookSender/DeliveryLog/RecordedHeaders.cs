using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace WebhookSender;

/// <summary>
/// The headers of a logged request or response: names and values in one array, in the order they were sent or received,
/// looked up by name without regard to case. A delivery log keeps thousands of these; a hashed dictionary of a handful of
/// headers costs about three times the memory (buckets, entries) and hashes every name, for lookups that a short scan does.
/// </summary>
internal sealed class RecordedHeaders : IReadOnlyDictionary<string, string>
{
    // Name, value, name, value…; names are distinct (ignoring case).
    private readonly string[] _pairs;

    /// <param name="pairs">Names and values alternating; the array is kept, not copied.</param>
    public RecordedHeaders(string[] pairs) => _pairs = pairs;

    public int Count => _pairs.Length / 2;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The header '{key}' was not recorded.");

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = 0; i < _pairs.Length; i += 2)
        {
            if (string.Equals(_pairs[i], key, StringComparison.OrdinalIgnoreCase))
            {
                value = _pairs[i + 1];
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _pairs.Length; i += 2)
        {
            yield return new KeyValuePair<string, string>(_pairs[i], _pairs[i + 1]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
