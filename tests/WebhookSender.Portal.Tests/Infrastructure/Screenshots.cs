using Microsoft.Playwright;

namespace WebhookSender.Portal.Tests.Infrastructure;

/// <summary>
/// Saves the screenshots docs/portal.md shows, as docs/images/portal-{name}.png, when WEBHOOKSENDER_SCREENSHOTS=1; other
/// runs (CI) leave the checkout as it is.
/// </summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("WEBHOOKSENDER_SCREENSHOTS") != "1")
        {
            return;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "WebhookSender.sln")))
        {
            directory = directory.Parent;
        }

        string folder = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("The repository root (WebhookSender.sln) was not found."), "docs", "images");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"portal-{name}.png"), FullPage = true });
    }
}
