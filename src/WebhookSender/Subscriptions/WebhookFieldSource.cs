namespace WebhookSender;

/// <summary>
/// Where a mapped field's value comes from: a path into the envelope (<c>data.order.id</c>, <c>data.items.0.sku</c>,
/// <c>id</c>, <c>type</c>, <c>timestamp</c> or a context field) or a constant.
/// </summary>
public sealed record WebhookFieldSource
{
    /// <summary>A dot-separated path into the envelope; array items by index. <see langword="null"/> for a constant.</summary>
    public string? Path { get; init; }

    /// <summary>A constant value, sent as a string. Used when <see cref="Path"/> is <see langword="null"/>.</summary>
    public string? Constant { get; init; }

    /// <summary>Takes the value at a path of the envelope, for example <c>data.order.id</c>.</summary>
    public static WebhookFieldSource FromPath(string path) => new() { Path = path };

    /// <summary>Sends a constant, for example an account id the receiver requires.</summary>
    public static WebhookFieldSource FromConstant(string value) => new() { Constant = value };
}
