using Microsoft.Extensions.Options;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Checks the attributes of <see cref="EntityFrameworkStoreOptions"/> with code the options source generator writes at
/// build time, instead of reading them by reflection at start-up (which trimming and native AOT cannot follow). The rules
/// attributes cannot state are in <see cref="EntityFrameworkStoreOptionsCustomValidator"/>.
/// </summary>
[OptionsValidator]
internal sealed partial class EntityFrameworkStoreOptionsValidator : IValidateOptions<EntityFrameworkStoreOptions>
{
}
