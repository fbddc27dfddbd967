using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WebhookSender.Storage;

namespace WebhookSender.StoreContract;

/// <summary>
/// What every <see cref="IWebhookStore"/> + <see cref="IDeliveryQueue"/> adapter must do, run against each of them:
/// derive a class in the adapter's test project and build a fresh, empty store in <see cref="CreateStoreAsync"/>. The
/// partial files hold the subscription, message, attempt and queue rules.
/// </summary>
/// <remarks>
/// Time is a <see cref="FakeTimeProvider"/> starting at <see cref="ContractData.Start"/>: the adapter must take its
/// clock from the time provider it is given. Adapter-specific bounds (caps, windows, retention) are tested by the
/// adapters themselves.
/// </remarks>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    /// <summary>No cancellation.</summary>
    protected static readonly CancellationToken None = CancellationToken.None;

    private StoreUnderTest? _adapter;

    /// <summary>The clock the store was built with.</summary>
    protected FakeTimeProvider Clock { get; } = new(ContractData.Start);

    /// <summary>The store under test.</summary>
    protected IWebhookStore Store => _adapter?.Store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>The queue under test (over the same records as <see cref="Store"/>).</summary>
    protected IDeliveryQueue Queue => _adapter?.Queue ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Builds an empty store and queue that take their time from <paramref name="timeProvider"/>.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync(TimeProvider timeProvider);

    /// <inheritdoc />
    public async Task InitializeAsync() => _adapter = await CreateStoreAsync(Clock);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_adapter is not null)
        {
            await _adapter.DisposeAsync();
        }
    }

    /// <summary>JSON of a record, for comparing records whose lists compare by reference.</summary>
    protected static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Stores a message created at the start with one delivery per id, all due at the start.</summary>
    protected async Task<WebhookDelivery[]> PublishAsync(string messageId, params string[] deliveryIds)
    {
        var deliveries = deliveryIds.Select(id => ContractData.Delivery(id, messageId)).ToArray();
        await Store.AddMessageAsync(ContractData.Message(messageId), deliveries, None);
        return deliveries;
    }

    /// <summary>Leases one delivery and completes it as Succeeded, putting back whatever else was leased.</summary>
    protected async Task LeaseAndSucceedAsync(string deliveryId)
    {
        var leases = await Queue.LeaseAsync(1000, TimeSpan.FromMinutes(1), None);
        var lease = Assert.Single(leases, l => l.Delivery.Id == deliveryId);
        Assert.True(await Queue.CompleteAsync(lease, ContractData.Succeeded(lease.Delivery), None));
        foreach (var other in leases.Where(l => l.Delivery.Id != deliveryId))
        {
            Assert.True(await Queue.RescheduleAsync(other, other.Delivery with { Status = DeliveryStatus.Queued }, None));
        }
    }
}
