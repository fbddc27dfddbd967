using Microsoft.Playwright;

namespace WebhookSender.Portal.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the whole run: Debian's <c>chromium</c> package (Playwright's own download does not work
/// here), installed with apt-get when it is missing and the tests run as root, or the executable
/// <c>WEBHOOKSENDER_CHROMIUM</c> names. Still missing, the tests fail and say how to install it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 860 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        string? custom = Environment.GetEnvironmentVariable("WEBHOOKSENDER_CHROMIUM") is { Length: > 0 } named ? named : null;
        string executable = custom ?? "/usr/bin/chromium";
        if (custom is null && !File.Exists(executable))
        {
            // A fresh Debian machine: install the distribution's Chromium, as the EF Core tests start their own PostgreSQL.
            await InstallChromiumAsync();
        }

        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {executable}: install it with 'apt-get install -y chromium' (.ci/run does), or name another with WEBHOOKSENDER_CHROMIUM.");
        }

        // Expectations wait as long as actions do: on 2 busy cores a view can take more than Playwright's default 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // No name resolves but the loopback ones: the browser can reach nothing beyond this machine.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"],
        });
    }

    private static async Task InstallChromiumAsync()
    {
        if (!File.Exists("/usr/bin/apt-get") || Environment.UserName != "root")
        {
            return;
        }

        foreach (string arguments in new[] { "update -qq", "install -y -qq --no-install-recommends chromium" })
        {
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/apt-get", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await Task.WhenAll(output, errors);
        }
    }

    /// <summary>A fresh context (its own cookies and storage) with a 15 s default timeout.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? Desktop, Locale = "en-GB", TimezoneId = "UTC" });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
