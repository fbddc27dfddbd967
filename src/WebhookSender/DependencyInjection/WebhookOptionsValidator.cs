using Microsoft.Extensions.Options;

namespace WebhookSender;

/// <summary>
/// Checks the attributes of <see cref="WebhookOptions"/> and of its <see cref="WebhookOptions.Endpoints"/>, with code the
/// options source generator writes at build time, instead of reading them by reflection at start-up (which trimming and
/// native AOT cannot follow). The rules attributes cannot state are in <see cref="WebhookOptionsCustomValidator"/>.
/// </summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
}
