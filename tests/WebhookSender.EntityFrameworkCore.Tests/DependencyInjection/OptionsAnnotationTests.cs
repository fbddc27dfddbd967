using WebhookSender.TestSupport;

namespace WebhookSender.EntityFrameworkCore.Tests.DependencyInjection;

public sealed class OptionsAnnotationTests
{
    [Fact]
    public void Every_attribute_of_the_options_is_enforced_by_the_generated_validator()
    {
        var report = AnnotatedOptions.Check(new EntityFrameworkStoreOptionsValidator(), static () => new EntityFrameworkStoreOptions());

        Assert.Empty(report.Problems);
        Assert.Contains("EntityFrameworkStoreOptions.NotificationChannel [RegularExpression]", report.Checked);
        Assert.Contains("EntityFrameworkStoreOptions.InstanceId [StringLength]", report.Checked);
        Assert.Contains("EntityFrameworkStoreOptions.PollInterval [Range]", report.Checked);
    }
}
