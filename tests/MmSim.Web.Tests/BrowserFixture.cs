using Microsoft.Playwright;

namespace MmSim.Web.Tests;

/// <summary>The real server and Debian's Chromium driven by Playwright (headless; --no-sandbox since CI runs as
/// root). Without Chromium every browser test fails with the reason: CI installs it (.ci/run).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public LabServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots of each view, kept as a test artifact (bin/.../screenshots).</summary>
    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException(
                $"the browser tests need Chromium at {Chromium}: install the Debian packages chromium and fonts-noto-cjk (apt-get install -y chromium fonts-noto-cjk; .ci/run does)");
        Directory.CreateDirectory(ScreenshotDir);
        // Runs share two cores with the API tests: give the page time, the assertions still wait for exact text.
        Assertions.SetDefaultExpectTimeout(60_000);
        Server = await LabServer.StartAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>Uncaught script errors of the pages.</summary>
    public List<string> Errors { get; } = new();

    public async Task<IPage> NewPage(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale, ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        var page = await context.NewPageAsync();
        // A script error fails the test that caused it (checked when it saves a screenshot), with the message.
        page.PageError += (_, message) => { lock (Errors) Errors.Add(message); };
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(Server.Url);
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}
