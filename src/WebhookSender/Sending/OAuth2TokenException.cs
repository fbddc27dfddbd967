namespace WebhookSender;

/// <summary>Getting a token from a receiver's OAuth2 token endpoint failed; the message says how, without any credential.</summary>
internal sealed class OAuth2TokenException(string message, Exception? inner = null) : Exception(message, inner);
