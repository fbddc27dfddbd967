namespace WebhookSender;

/// <summary>Names of the built-in body formats.</summary>
public static class WebhookFormats
{
    /// <summary>The JSON envelope <c>{"id","type","timestamp","data",…}</c> as <c>application/json</c>.</summary>
    public const string Json = "json";
}
