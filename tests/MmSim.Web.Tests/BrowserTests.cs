using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MmSim.Web.Tests;

/// <summary>The page in a real browser: the views, the languages, step mode, the labs.</summary>
public sealed class BrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private async Task Shot(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, name + ".png"), FullPage = true });
        NoScriptErrors();
    }

    private void NoScriptErrors()
    {
        lock (fx.Errors) Assert.True(fx.Errors.Count == 0, "script errors: " + string.Join("; ", fx.Errors));
    }

    private async Task RunOomProtect(IPage page)
    {
        await page.GetByTestId("scenario-select").SelectOptionAsync("oom-protect");
        await page.GetByTestId("run").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=timeline]') !== null || document.querySelector('[data-testid=scenario-error]') !== null");
        NoScriptErrors();
        await Expect(page.GetByTestId("timeline")).ToBeVisibleAsync();
        await page.WaitForSelectorAsync("[data-testid=timeline] canvas");
    }

    [Fact]
    public async Task Oom_kill_is_marked_on_the_timeline_and_named_in_the_event_list()
    {
        var page = await fx.NewPage();
        await Shot(page, "01-scenario");
        await RunOomProtect(page);
        var kill = page.Locator("[data-testid=timeline-marker][data-kind^=oom_kill]");
        await Expect(kill).ToHaveCountAsync(1);
        await Expect(kill).ToContainTextAsync("OOM: cache");
        // The mark is on the plot, at the kill's time (6.04 s run, the kill at 4.01 s: about two thirds across).
        var plot = await page.Locator("[data-testid=timeline] .u-over").BoundingBoxAsync();
        var mark = await kill.BoundingBoxAsync();
        double at = (mark!.X - plot!.X) / plot.Width;
        Assert.InRange(at, 0.62, 0.70);
        var killLine = page.GetByTestId("event-list").Locator("li[data-kind^=oom_kill]");
        await Expect(killLine).ToContainTextAsync(
            "OOM killer chose pid 1001 (cache): badness 15,393 pages, the highest (next: pid 1002 (worker) with 8,316).");
        await Expect(killLine).ToContainTextAsync("Out of memory: Killed process 1001 (cache)");
        await Expect(page.GetByTestId("event-list").Locator("li[data-kind=kswapd_wake]").First)
            .ToContainTextAsync("kswapd woke: free memory 3 MiB fell to the low watermark 3 MiB");
        await Shot(page, "02-timeline");
    }

    [Fact]
    public async Task Chinese_headings_and_event_sentences()
    {
        // The first language comes from Accept-Language.
        var zhPage = await fx.NewPage("zh-CN");
        await Expect(zhPage.GetByTestId("tab-timeline")).ToHaveTextAsync("时间线与单步");
        await Expect(zhPage.GetByTestId("lang")).ToHaveValueAsync("zh");

        // Switched in the page.
        var page = await fx.NewPage();
        await Expect(page.GetByTestId("tab-scenario")).ToHaveTextAsync("Scenario");
        await RunOomProtect(page);
        await page.GetByTestId("lang").SelectOptionAsync("zh");
        await Expect(page.GetByTestId("tab-timeline")).ToHaveTextAsync("时间线与单步");
        await Expect(page.Locator("#view-timeline h2").First).ToHaveTextAsync("内存随时间的变化");
        await Expect(page.GetByTestId("event-list").Locator("li[data-kind^=oom_kill]")).ToContainTextAsync(
            "OOM Killer 选中了 pid 1001（cache）：badness 15,393 页，最高（其次是 pid 1002（worker），8,316 页）。");
        await Expect(page.GetByTestId("event-list").Locator("li[data-kind=start]").First).ToContainTextAsync("进程 db[1000] 启动。");
        await Shot(page, "03-timeline-zh");
        await page.GetByTestId("tab-processes").ClickAsync();
        await Expect(page.Locator("#view-processes h2").First).ToHaveTextAsync("游标时刻的进程");
        await Shot(page, "04-processes-zh");
        await page.GetByTestId("tab-scenario").ClickAsync();
        await Expect(page.GetByTestId("scenario-description")).ToContainTextAsync("oom_score_adj");
        await Shot(page, "05-scenario-zh");
    }

    [Fact]
    public async Task Stepping_through_events_moves_every_view()
    {
        var page = await fx.NewPage();
        await RunOomProtect(page);
        var sentence = page.GetByTestId("step-sentence");
        await page.GetByTestId("step-forward").ClickAsync();
        await Expect(sentence).ToHaveTextAsync("1/7 · db[1000] started.");
        await Expect(page.GetByTestId("cursor-time")).ToHaveTextAsync("0.000 s");
        await page.GetByTestId("step-forward").ClickAsync();
        await page.GetByTestId("step-forward").ClickAsync();
        await Expect(sentence).ToHaveTextAsync("3/7 · worker[1002] started.");
        await Expect(page.GetByTestId("cursor-time")).ToHaveTextAsync("4.000 s");
        await Expect(page.GetByTestId("event-list").Locator("li.current")).ToContainTextAsync("worker[1002] started.");

        // The processes view follows the cursor: before the kill 'cache' runs, ranked first by the OOM killer.
        await page.GetByTestId("tab-processes").ClickAsync();
        var cache = page.GetByTestId("process-row").Filter(new LocatorFilterOptions { HasText = "cache" });
        await Expect(cache).ToContainTextAsync("running");
        await Expect(page.GetByTestId("process-row").First).ToContainTextAsync("cache");
        await Shot(page, "06-processes-before-kill");
        for (int i = 0; i < 3; i++) await page.GetByTestId("step-forward").ClickAsync();
        await Expect(sentence).ToContainTextAsync("6/7 · OOM killer chose pid 1001 (cache)");
        await Expect(cache).ToContainTextAsync("killed");
        await Shot(page, "07-processes-after-kill");

        // And back.
        for (int i = 0; i < 3; i++) await page.GetByTestId("step-back").ClickAsync();
        await Expect(sentence).ToHaveTextAsync("3/7 · worker[1002] started.");
        await Expect(cache).ToContainTextAsync("running");

        // The memory grid shows the moment of the cursor.
        await page.GetByTestId("tab-memory").ClickAsync();
        await Expect(page.Locator("#mem-caption")).ToContainTextAsync("65,536 frames of 4 kB");
        string at4s = await page.Locator("#mem-caption").InnerTextAsync();
        for (int i = 0; i < 2; i++) await page.GetByTestId("step-back").ClickAsync();
        await Expect(sentence).ToHaveTextAsync("1/7 · db[1000] started.");
        await Expect(page.Locator("#mem-caption")).ToContainTextAsync("at 0.000 s.");
        Assert.DoesNotContain("at 0.000 s.", at4s);
        await Shot(page, "08-memory");
        await page.GetByTestId("tab-lru").ClickAsync();
        await Expect(page.GetByTestId("lru-table")).ToContainTextAsync("Inactive(anon)");
        await Shot(page, "09-lru");
    }

    [Fact]
    public async Task Page_replacement_counts_faults_and_shows_beladys_anomaly()
    {
        var page = await fx.NewPage();
        await page.GetByTestId("tab-replace").ClickAsync();
        await page.GetByTestId("replay-refs").FillAsync("7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1");
        await page.GetByTestId("replay-frames").FillAsync("3");
        await page.GetByTestId("replay-policies").FillAsync("fifo,lru,opt");
        await page.GetByTestId("replay-run").ClickAsync();
        var rows = page.GetByTestId("replay-result").GetByTestId("replay-row");
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal("15", await rows.Nth(0).GetAttributeAsync("data-faults"));
        Assert.Equal("12", await rows.Nth(1).GetAttributeAsync("data-faults"));
        Assert.Equal("9", await rows.Nth(2).GetAttributeAsync("data-faults"));
        await Expect(page.GetByTestId("replay-result")).ToContainTextAsync("fifo, 3 frames: 15 faults");
        await Shot(page, "10-replacement");
        await page.GetByTestId("replay-belady").ClickAsync();
        await Expect(rows).ToHaveCountAsync(2);
        Assert.Equal("9", await rows.Nth(0).GetAttributeAsync("data-faults"));
        Assert.Equal("10", await rows.Nth(1).GetAttributeAsync("data-faults"));
        await Shot(page, "11-belady");
    }

    [Fact]
    public async Task Yaml_error_is_shown_at_its_line()
    {
        var page = await fx.NewPage();
        await page.GetByTestId("scenario-select").SelectOptionAsync("");
        await page.GetByTestId("scenario-yaml").FillAsync("machine: { memory: 256MiB }\nprocesses:\n  - name: a\n    stepz: []\n");
        await page.GetByTestId("run").ClickAsync();
        await Expect(page.GetByTestId("scenario-error")).ToHaveTextAsync(
            "Line 4: scenario.yaml:4:5: unknown key 'stepz' in process (did you mean 'steps'?); expected one of: name, pid, oom_score_adj, start_at, start_after, stack, steps, cgroup");
        await Expect(page.GetByTestId("gutter").Locator(".bad")).ToHaveTextAsync("4");
        await Shot(page, "12-scenario-error");
    }

    [Fact]
    public async Task Translation_walks_an_address_and_checks_a_segment()
    {
        var page = await fx.NewPage();
        await page.GetByTestId("tab-translate").ClickAsync();
        await page.GetByTestId("translate-address").FillAsync("0x00007f1234567abc");
        await page.GetByTestId("translate-run").ClickAsync();
        var levels = page.GetByTestId("translate-result").GetByTestId("translate-level");
        await Expect(levels).ToHaveCountAsync(4);
        await Expect(levels.Nth(0)).ToContainTextAsync("PGD2540xfe");
        await Expect(levels.Nth(3)).ToContainTextAsync("PTE3590x167");
        await Expect(page.GetByTestId("translate-result")).ToContainTextAsync("2748");
        await page.GetByTestId("segment-number").FillAsync("1");
        await page.GetByTestId("segment-offset").FillAsync("1222");
        await page.GetByTestId("segment-run").ClickAsync();
        await Expect(page.GetByTestId("segment-result")).ToContainTextAsync("Trap: limit.");
        await Shot(page, "13-translation");
    }

    [Fact]
    public async Task Translation_walks_the_page_table_of_a_process_of_the_last_run()
    {
        var page = await fx.NewPage();
        await RunOomProtect(page);
        await page.GetByTestId("tab-translate").ClickAsync();
        await Expect(page.GetByTestId("walk-address")).ToHaveValueAsync("0x7ffff11ffabc");
        await page.GetByTestId("walk-run").ClickAsync();
        var levels = page.GetByTestId("walk-level");
        await Expect(levels).ToHaveCountAsync(4);
        await Expect(levels.Nth(3)).ToContainTextAsync("PTE");
        await Expect(page.GetByTestId("walk-result")).ToContainTextAsync("Physical address 0x");
        await Shot(page, "15-translation-walk");
    }

    [Fact]
    public async Task Compare_runs_two_settings_side_by_side()
    {
        var page = await fx.NewPage();
        await page.GetByTestId("scenario-select").SelectOptionAsync("swap-before-oom");
        await page.GetByTestId("tab-compare").ClickAsync();
        await page.GetByTestId("compare-a").FillAsync("machine.swap=512MiB");
        await page.GetByTestId("compare-b").FillAsync("machine.swap=0");
        await page.GetByTestId("compare-run").ClickAsync();
        var table = page.GetByTestId("compare-table");
        await Expect(table.Locator("tr").Filter(new LocatorFilterOptions { HasText = "oom_kill" })).ToContainTextAsync("oom_kill01");
        await Shot(page, "14-compare");
        // Each chart downloads as a PNG (the other charts' helper: the uPlot canvas's toDataURL).
        foreach (var which in new[] { "a", "b" })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-compare-png-" + which).ClickAsync());
            Assert.Equal($"mmsim-compare-{which}.png", download.SuggestedFilename);
            string file = Path.Combine(BrowserFixture.ScreenshotDir, "download-compare-" + which + ".png");
            await download.SaveAsAsync(file);
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 2000, $"{bytes.Length} bytes");
        }
    }

    [Fact]
    public async Task Lru_view_lists_the_pages_of_a_small_machine_with_the_moves_marked()
    {
        var page = await fx.NewPage();
        await page.GetByTestId("scenario-select").SelectOptionAsync("");
        await page.GetByTestId("scenario-yaml").FillAsync(LruPagesTests.Tiny);
        await page.GetByTestId("run").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=timeline] canvas");
        await page.GetByTestId("tab-lru").ClickAsync();
        // The cursor at 6 ms (row 6 of the 1 ms samples): the second read has just activated pages 0..255.
        await page.Locator("#cursor").FillAsync("6");
        await Expect(page.Locator("#cursor-time")).ToHaveTextAsync("0.006 s");
        var pages = page.GetByTestId("lru-pages");
        await Expect(pages).ToContainTextAsync("The pages of each list at 0.006 s");
        var active = pages.Locator("[data-list='Active(file)'] tr[data-pfn]");
        await Expect(active).ToHaveCountAsync(256);
        await Expect(pages.Locator("tr.mv-activated")).ToHaveCountAsync(256);
        await Expect(active.First).ToContainTextAsync("file /data/log, page 255");
        await Expect(active.Last).ToContainTextAsync("file /data/log, page 0");
        await Expect(pages.Locator("[data-list='Inactive(file)'] tr[data-pfn]")).ToHaveCountAsync(768);
        await Shot(page, "16-lru-pages-activated");
        // At 20 ms reclaim has taken 569 pages from the inactive tail and deactivated 31.
        await page.Locator("#cursor").FillAsync("20");
        await Expect(pages.Locator("tr.mv-deactivated")).ToHaveCountAsync(31);
        // The 569 reclaimed frames are consecutive here (the file was read into consecutive free frames).
        await Expect(pages.GetByTestId("lru-gone").Locator("span.mv-reclaimed")).ToHaveTextAsync("411–979");
        await Expect(pages.Locator("[data-list='Inactive(anon)'] tr[data-pfn]").First).ToContainTextAsync("pid 1001 anon, vpn 0x");
        await Shot(page, "17-lru-pages-reclaim");
        await page.GetByTestId("lang").SelectOptionAsync("zh");
        await Expect(pages).ToContainTextAsync("0.020 s 时各链表上的页");
        await Expect(pages.Locator("[data-list='Inactive(anon)'] tr[data-pfn]").First).ToContainTextAsync("pid 1001 匿名页，虚拟页号 0x");
        await Shot(page, "18-lru-pages-zh");
    }
}
