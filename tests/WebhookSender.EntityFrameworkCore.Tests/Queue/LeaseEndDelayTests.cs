using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Storage;

namespace WebhookSender.EntityFrameworkCore.Tests.Queue;

/// <summary>SQLite asks the dispatcher to gather lease ends for a moment; PostgreSQL does not; the host may choose.</summary>
public sealed class LeaseEndDelayTests
{
    [Theory]
    [InlineData("sqlite", null, 2)]
    [InlineData("postgres", null, 0)]
    [InlineData("sqlite", 0, 0)]
    [InlineData("postgres", 5, 5)]
    public async Task The_store_asks_for_its_providers_delay_unless_the_host_sets_one(string provider, int? setMilliseconds, int expectedMilliseconds)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = StoreServices.Build(database, TimeProvider.System, o =>
            o.LeaseEndDelay = setMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
        var queue = services.GetRequiredService<IDeliveryQueue>();

        await queue.LeaseAsync(10, TimeSpan.FromMinutes(1), CancellationToken.None); // the first call learns the provider

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), queue.LeaseEndDelay);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task A_delay_outside_zero_to_one_second_fails_start_up(int milliseconds)
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var services = StoreServices.Build(database, TimeProvider.System, o => o.LeaseEndDelay = TimeSpan.FromMilliseconds(milliseconds));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<EntityFrameworkStoreOptions>>().Value);

        Assert.Contains("LeaseEndDelay", error.Message, StringComparison.Ordinal);
    }
}
