// The WebhookSender sample: a host app sends signed webhooks to two receivers, one healthy and one that fails the first
// two attempts of each event, then prints the delivery log. Everything runs on 127.0.0.1 and the in-memory store; it exits by itself.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebhookSender;
using WebhookSender.Sample;

// --durable <sqlite-file>: the same app on the EF Core store; stop it mid-way and start it again (see DurableSample.cs).
if (DurableSample.TryParse(args, out var durableFile, out var stopAfter))
{
    return await DurableSample.RunAsync(durableFile, stopAfter);
}

// 1. Someone else's receiver (normally another company's server): verifies every signature.
await using var receiver = await SampleReceiver.StartAsync();

// 2. Our app: register webhooks with the in-memory store and the event types we publish.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Critical); // the notifier below prints what matters
builder.Services
    .AddWebhooks(options =>
    {
        options.Destinations.AllowLoopback = true;                                   // the sample receiver is local
        options.RetrySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];  // short, for the demo
    })
    .AddEventType("order.created", "An order was placed", new { orderId = 1042, total = 99.5 })
    .AddEventType("order.updated", "An order changed", new { orderId = 1042, status = "paid" })
    .AddNotificationHandler<ConsoleNotifier>()
    .AddInMemoryStore();
using var app = builder.Build();
await app.StartAsync();

var subscriptions = app.Services.GetRequiredService<IWebhookSubscriptions>();
var publisher = app.Services.GetRequiredService<IWebhookPublisher>();
var deliveries = app.Services.GetRequiredService<IWebhookDeliveries>();

// 3. Two customers subscribe. Each gets a secret to verify our signatures (creating one also sends a webhook.ping).
var healthy = await subscriptions.CreateAsync(new WebhookSubscriptionRequest
{
    Name = "Fulfilment (healthy)",
    Url = receiver.UrlFor("/healthy"),
    EventTypes = ["*"],
});
receiver.Trust("/healthy", healthy.Secret);

var flaky = await subscriptions.CreateAsync(new WebhookSubscriptionRequest
{
    Name = "Analytics (fails twice)",
    Url = receiver.UrlFor("/flaky"),
    EventTypes = ["order.updated"],
});
receiver.Trust("/flaky", flaky.Secret);

// 4. The app publishes events; delivery happens in the background with retries.
await publisher.PublishAsync(new WebhookEvent("order.created", new { orderId = 1042, total = 99.5, items = new[] { new { sku = "A-1", qty = 2 } } }));
await publisher.PublishAsync(new WebhookEvent("order.updated", new { orderId = 1042, status = "paid" }));
await publisher.PublishAsync(new WebhookEvent("order.updated", new { orderId = 1042, status = "shipped" }));

// 5. Wait until every delivery is finished, then print the delivery log.
var deadline = DateTime.UtcNow.AddSeconds(30);
while ((await deliveries.ListAsync(new DeliveryQuery { Limit = 1000 })).Items.Any(d => !d.IsCompleted) && DateTime.UtcNow < deadline)
{
    await Task.Delay(100);
}

var names = new Dictionary<string, string>
{
    [healthy.Subscription.Id] = healthy.Subscription.Name!,
    [flaky.Subscription.Id] = flaky.Subscription.Name!,
};
var log = await deliveries.ListAttemptsAsync(new AttemptQuery { Limit = 1000 });
DeliveryLogTable.Print([.. log.Items.Reverse()], names);

var finished = await deliveries.ListAsync(new DeliveryQuery { Limit = 1000 });
Console.WriteLine();
Console.WriteLine($"Deliveries: {finished.Items.Count(d => d.Status == DeliveryStatus.Succeeded)} succeeded, "
    + $"{finished.Items.Count(d => d.Status == DeliveryStatus.Failed)} failed, {finished.Items.Count(d => !d.IsCompleted)} pending.");
Console.WriteLine($"Receiver: {receiver.Accepted} requests accepted with a valid signature, {receiver.Rejected} rejected.");

await app.StopAsync();
return finished.Items.All(d => d.Status == DeliveryStatus.Succeeded) && receiver.Rejected == 0 ? 0 : 1;
