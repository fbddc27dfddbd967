using WebhookSender.TestSupport;

namespace WebhookSender.InMemory.Tests.DependencyInjection;

public sealed class OptionsAnnotationTests
{
    [Fact]
    public void Every_attribute_of_the_options_is_enforced_by_the_generated_validator()
    {
        var report = AnnotatedOptions.Check(new InMemoryStoreOptionsValidator(), static () => new InMemoryStoreOptions());

        Assert.Empty(report.Problems);
        Assert.Contains("InMemoryStoreOptions.MaxPendingDeliveries [Range]", report.Checked);
        Assert.Contains("InMemoryStoreOptions.MaxAttemptBytes [Range]", report.Checked);
    }
}
