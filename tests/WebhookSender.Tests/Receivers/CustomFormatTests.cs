using Microsoft.Extensions.DependencyInjection;
using System.Buffers;
using System.Text;
using System.Text.Json;
using WebhookSender.Testing;
using WebhookSender.Tests.Infrastructure;

namespace WebhookSender.Tests.Receivers;

public class CustomFormatTests
{
    [Fact]
    public async Task A_host_format_registered_through_the_builder_is_chosen_by_name_and_signed()
    {
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(build: b => b.AddSerializer<CsvSerializer>());
        string secret = WebhookSecret.Generate();
        receiver.UseSecret("/csv", secret);
        await host.Subscriptions.CreateAsync(new() { Url = receiver.UrlFor("/csv"), Format = "csv", Secret = secret });

        var published = await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 7 }));

        var received = (await receiver.WaitForCountAsync("/csv", 1, TimeSpan.FromSeconds(20))).Single();
        Assert.Equal("text/csv", received.ContentType);
        Assert.Equal($"id,type\n{published.MessageId},order.created\n", received.BodyText);
        Assert.True(received.SignatureValid);
    }

    private sealed class CsvSerializer : IEventSerializer
    {
        public string Format => "csv";

        public string MediaType => "text/csv";

        public void Serialize(JsonElement payload, IBufferWriter<byte> output) =>
            output.Write(Encoding.UTF8.GetBytes($"id,type\n{payload.GetProperty("id")},{payload.GetProperty("type")}\n"));
    }
}
