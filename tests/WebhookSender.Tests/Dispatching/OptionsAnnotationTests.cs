using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebhookSender.TestSupport;

namespace WebhookSender.Tests.Dispatching;

public class OptionsAnnotationTests
{
    [Fact]
    public void Every_attribute_of_the_options_is_enforced_by_the_generated_validator()
    {
        var report = AnnotatedOptions.Check(new WebhookOptionsValidator(), static () => new WebhookOptions());

        Assert.Empty(report.Problems);
        Assert.Contains("WebhookOptions.MaxConcurrency [Range]", report.Checked);
        Assert.Contains("WebhookOptions.UserAgent [Required]", report.Checked);
        Assert.Contains("WebhookOptions.LeaseDuration [TimeSpanRange]", report.Checked);
        Assert.Contains("WebhookOptions.Endpoints.FailureThreshold [Range]", report.Checked); // nested options too
    }

    [Fact]
    public void The_check_fails_a_validator_that_enforces_nothing()
    {
        var report = AnnotatedOptions.Check(new NothingEnforced(), static () => new WebhookOptions());

        Assert.Contains(report.Problems, p => p.StartsWith("WebhookOptions.Endpoints.BreakDuration [TimeSpanRange]: ", StringComparison.Ordinal) && p.Contains("passes the generated validator", StringComparison.Ordinal));
        Assert.Equal(report.Checked.Count, report.Problems.Count);
    }

    [Fact]
    public void AddWebhooks_registers_the_generated_validator_and_the_cross_field_rules()
    {
        var services = new ServiceCollection();
        services.AddWebhooks().AddInMemoryStore();
        using var provider = services.BuildServiceProvider();

        var validators = provider.GetServices<IValidateOptions<WebhookOptions>>().ToList();

        Assert.Contains(validators, v => v is WebhookOptionsValidator);
        Assert.Contains(validators, v => v is WebhookOptionsCustomValidator);
    }

    private sealed class NothingEnforced : IValidateOptions<WebhookOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebhookOptions options) => ValidateOptionsResult.Success;
    }
}
