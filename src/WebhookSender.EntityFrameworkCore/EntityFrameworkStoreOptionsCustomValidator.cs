using Microsoft.Extensions.Options;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// The rules of <see cref="EntityFrameworkStoreOptions"/> that attributes cannot state: across fields, and on optional values.
/// The attributes are checked by <see cref="EntityFrameworkStoreOptionsValidator"/>.
/// </summary>
internal sealed class EntityFrameworkStoreOptionsCustomValidator : IValidateOptions<EntityFrameworkStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, EntityFrameworkStoreOptions options)
    {
        var failures = new List<string>();
        if (options.SucceededRetention is { } succeeded && succeeded <= TimeSpan.Zero)
        {
            failures.Add($"EntityFrameworkStoreOptions.SucceededRetention ({succeeded}) must be positive, or null to keep succeeded deliveries.");
        }

        if (options.FailedRetention is { } failed && failed <= TimeSpan.Zero)
        {
            failures.Add($"EntityFrameworkStoreOptions.FailedRetention ({failed}) must be positive, or null to keep failed deliveries.");
        }

        if (options.UnreadRetention is { } unread && unread <= TimeSpan.Zero)
        {
            failures.Add($"EntityFrameworkStoreOptions.UnreadRetention ({unread}) must be positive, or null to keep unread pull messages until read.");
        }

        if (options.SucceededRetention is { } s && options.FailedRetention is { } f && f < s)
        {
            failures.Add($"EntityFrameworkStoreOptions.FailedRetention ({f}) is shorter than SucceededRetention ({s}); keep failed deliveries at least as long, so there is time to look into them.");
        }

        if (options.InstanceTimeout < options.HeartbeatInterval * 3)
        {
            failures.Add(
                $"EntityFrameworkStoreOptions.InstanceTimeout ({options.InstanceTimeout}) must be at least three times HeartbeatInterval ({options.HeartbeatInterval}): " +
                "an instance stops sending one interval before the others may take its deliveries over, and should survive a failed heartbeat.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
