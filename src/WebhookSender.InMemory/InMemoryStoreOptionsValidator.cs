using Microsoft.Extensions.Options;

namespace WebhookSender.InMemory;

/// <summary>
/// Checks the attributes of <see cref="InMemoryStoreOptions"/> with code the options source generator writes at build time,
/// instead of reading them by reflection at start-up (which trimming and native AOT cannot follow).
/// </summary>
[OptionsValidator]
internal sealed partial class InMemoryStoreOptionsValidator : IValidateOptions<InMemoryStoreOptions>
{
}
