namespace WebhookSender;

/// <summary>Names of the built-in body formats. Hosts can add their own with <c>AddSerializer</c>.</summary>
public static class WebhookFormats
{
    /// <summary>The JSON envelope <c>{"id","type","timestamp","data",…}</c> as <c>application/json</c>.</summary>
    public const string Json = "json";

    /// <summary>A JSON array of envelopes as <c>application/json</c>; a single event is a one-element array. Also the batch format.</summary>
    public const string JsonArray = "jsonarray";

    /// <summary>The envelope as <c>application/xml</c>, mapped by the rules in docs/formats.md.</summary>
    public const string Xml = "xml";

    /// <summary>The envelope as <c>application/x-www-form-urlencoded</c>, nested fields in bracket notation (<c>data[order][id]=42</c>).</summary>
    public const string Form = "form";
}
