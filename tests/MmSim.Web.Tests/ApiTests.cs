using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MmSim.Web.Lab;
using MmSim.Workloads;

namespace MmSim.Web.Tests;

/// <summary>The HTTP API against the real server: every endpoint, and the documents equal to the CLI's.</summary>
public sealed class ApiTests(SharedServer fixture) : IClassFixture<SharedServer>
{
    private HttpClient Http => fixture.Server.Client;

    private static string Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(args, o, e);
        Assert.True(code == 0, e.ToString());
        return o.ToString();
    }

    private async Task<(HttpStatusCode Status, JsonNode Doc)> Post(string path, string body, string type = "application/json")
    {
        var r = await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, type));
        return (r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Scenarios_lists_every_builtin_with_title_and_description()
    {
        var doc = JsonNode.Parse(await Http.GetStringAsync("api/scenarios"))!.AsArray();
        Assert.Equal(BuiltinScenarios.Names, doc.Select(x => (string)x!["name"]!).ToList());
        var oom = doc.Single(x => (string)x!["name"]! == "oom-protect")!;
        Assert.Equal("Protecting a process from the OOM killer", (string)oom["title"]!);
        Assert.StartsWith("Three processes fill a machine without swap.", (string)oom["description"]!);
        Assert.Contains("oom_score_adj", (string)oom["description_zh"]!);
        Assert.Equal(BuiltinScenarios.Text("oom-protect"), await Http.GetStringAsync("api/scenarios/oom-protect"));
    }

    [Fact]
    public async Task Run_of_a_builtin_is_the_cli_document_plus_timeline_and_lab()
    {
        var (status, doc) = await Post("api/run?builtin=oom-protect", "", "text/yaml");
        Assert.Equal(HttpStatusCode.OK, status);
        var obj = doc.AsObject();
        Assert.NotNull(obj["timeline"]);
        Assert.NotNull(obj["lab"]);
        obj.Remove("timeline");
        obj.Remove("lab");
        var cli = JsonNode.Parse(Cli("run", "oom-protect", "--json"))!;
        Assert.True(JsonNode.DeepEquals(cli, obj), "the API's document differs from mmsim run --json");
    }

    [Fact]
    public async Task Run_of_posted_yaml_equals_the_cli_run_of_the_same_file()
    {
        string yaml = BuiltinScenarios.Text("swap-before-oom");
        var (status, doc) = await Post("api/run", yaml, "text/yaml");
        Assert.Equal(HttpStatusCode.OK, status);
        string dir = Directory.CreateTempSubdirectory("mmsim-web").FullName;
        string file = Path.Combine(dir, "scenario.yaml");
        File.WriteAllText(file, yaml);
        var cli = JsonNode.Parse(Cli("run", file, "--json"))!;
        Directory.Delete(dir, true);
        Assert.Equal(file, (string)cli["scenario"]!["source"]!);
        Assert.Equal("scenario.yaml", (string)doc["scenario"]!["source"]!);
        cli["scenario"]!["source"] = "scenario.yaml";
        var obj = doc.AsObject();
        obj.Remove("timeline");
        obj.Remove("lab");
        Assert.True(JsonNode.DeepEquals(cli, obj), "the API's document differs from mmsim run FILE --json");
    }

    [Fact]
    public async Task Run_is_deterministic_byte_for_byte_with_the_wall_time_in_a_header()
    {
        string yaml = BuiltinScenarios.Text("kswapd-vs-direct");
        var a = await Http.PostAsync("api/run", new StringContent(yaml));
        var b = await Http.PostAsync("api/run", new StringContent(yaml));
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
        Assert.True(double.Parse(a.Headers.GetValues("X-Mmsim-Wall-Ms").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Run_with_set_applies_the_override_like_the_cli()
    {
        var (status, doc) = await Post("api/run?builtin=swap-before-oom&set=machine.swap%3D0", "", "text/yaml");
        Assert.Equal(HttpStatusCode.OK, status);
        var cli = JsonNode.Parse(Cli("run", "swap-before-oom", "--set", "machine.swap=0", "--json"))!;
        Assert.Equal(0L, (long)doc["machine"]!["swap_kb"]!);
        Assert.Equal((long)cli["vmstat"]!["oom_kill"]!, (long)doc["vmstat"]!["oom_kill"]!);
        Assert.Equal(1L, (long)doc["vmstat"]!["oom_kill"]!);
    }

    [Fact]
    public async Task Run_timeline_is_thinned_and_ends_at_the_final_state()
    {
        var (_, doc) = await Post("api/run?builtin=oom-protect", "", "text/yaml");
        var cols = doc["timeline"]!["columns"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(TimelineHeader, string.Join(',', cols.Take(16)));
        var rows = doc["timeline"]!["rows"]!.AsArray();
        // 6.04 s of simulated time sampled every 1 ms is 6043 samples; the page gets at most 2000.
        Assert.InRange(rows.Count, 1000, 2000);
        var last = rows[^1]!.AsArray();
        Assert.Equal((long)doc["simulated_ns"]!, (long)last[0]!);
        Assert.Equal((long)doc["meminfo"]!["MemFree"]!, (long)last[cols.IndexOf("MemFree")]!);
        Assert.Equal(1L, (long)last[cols.IndexOf("oom_kill")]!);
        var times = rows.Select(r => (long)r![0]!).ToList();
        Assert.Equal(times.Order().ToList(), times);
    }

    private const string TimelineHeader = MmSim.Reports.TimelineSample.CsvHeader;

    [Fact]
    public async Task Run_steps_name_the_oom_victim_with_its_badness_and_the_runner_up()
    {
        var (_, doc) = await Post("api/run?builtin=oom-protect", "", "text/yaml");
        var steps = doc["lab"]!["steps"]!.AsArray();
        var kill = steps.Single(s => ((string)s!["kind"]!).StartsWith("oom_kill"))!;
        Assert.Equal("oom_kill_next", (string)kill["kind"]!);
        Assert.Equal(1001, (int)kill["pid"]!);
        Assert.Equal("cache", (string)kill["args"]!["comm"]!);
        // oom_badness = rss + swapents + pgtables/page: cache has 61440 kB anon (15360 pages) + 132 kB of page
        // tables (33 pages) = 15393; worker, the next, 8316. db is -1000 and is never a candidate.
        Assert.Equal(15393, (long)kill["args"]!["points"]!);
        Assert.Equal(1002, (int)kill["args"]!["next_pid"]!);
        Assert.Equal(8316, (long)kill["args"]!["next_points"]!);
        Assert.StartsWith("Out of memory: Killed process 1001 (cache)", (string)kill["message"]!);
        var killed = doc["processes"]!.AsArray().Single(p => (int)p!["pid"]! == 1001)!;
        Assert.Equal("killed", (string)killed["state"]!);
        // kswapd woke before the kill, with free memory down at the low watermark it was compared with.
        var wake = steps.First(s => (string)s!["kind"]! == "kswapd_wake")!;
        Assert.True((long)wake["args"]!["free_kb"]! <= (long)wake["args"]!["low_kb"]!); // zone_watermark_ok fails at free <= mark
        Assert.True((long)wake["time_ns"]! <= (long)kill["time_ns"]!);
    }

    [Fact]
    public async Task Run_frame_grid_covers_every_frame()
    {
        var (_, doc) = await Post("api/run?builtin=oom-protect", "", "text/yaml");
        var f = doc["lab"]!["frames"]!;
        Assert.Equal(65536, (int)f["count"]!); // 256 MiB of 4 KiB frames
        Assert.Equal(16, (int)f["per_cell"]!);
        Assert.Equal(4096, (int)f["cells"]!);
        var snaps = f["snapshots"]!.AsArray();
        Assert.InRange(snaps.Count, 2, 65); // at most 64 kept, and the final state
        foreach (var s in snaps) Assert.Equal(4096, ((string)s!["cells"]!).Length);
        // At the start nothing is allocated but the kernel; at the end db's 96 MiB and worker's are anonymous.
        string last = (string)snaps[^1]!["cells"]!;
        Assert.Contains('1', last);
        Assert.Contains('0', last);
    }

    [Fact]
    public async Task Scenario_error_is_400_with_the_line()
    {
        string yaml = "machine: { memory: 256MiB }\nprocesses:\n  - name: a\n    stepz: []\n";
        var (status, doc) = await Post("api/run", yaml, "text/yaml");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(4, (int)doc["line"]!);
        Assert.Equal("scenario.yaml:4:5: unknown key 'stepz' in process (did you mean 'steps'?); expected one of: name, pid, oom_score_adj, start_at, start_after, stack, steps, cgroup",
            (string)doc["error"]!);
    }

    [Fact]
    public async Task Yaml_syntax_error_is_400_with_the_line()
    {
        var (status, doc) = await Post("api/run", "machine: { memory: 256MiB\nprocesses: []\n", "text/yaml");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True((int)doc["line"]! >= 1);
        Assert.StartsWith("scenario.yaml:", (string)doc["error"]!);
    }

    [Fact]
    public async Task Unknown_builtin_is_404()
    {
        var (status, doc) = await Post("api/run?builtin=nope", "", "text/yaml");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith("no built-in scenario 'nope'", (string)doc["error"]!);
    }

    [Fact]
    public async Task Replay_gives_fifo_15_lru_12_opt_9_and_the_textbook_table()
    {
        var (status, doc) = await Post("api/replay",
            """{ "refs": "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", "frames": [3], "policies": ["fifo", "lru", "opt"], "explain": true }""");
        Assert.Equal(HttpStatusCode.OK, status);
        var results = doc["results"]!.AsArray();
        Assert.Equal(["fifo", "lru", "opt"], results.Select(r => (string)r!["policy"]!));
        Assert.Equal([15L, 12L, 9L], results.Select(r => (long)r!["misses"]!));
        Assert.Equal([5L, 8L, 11L], results.Select(r => (long)r!["hits"]!));
        Assert.Equal(0.75, (double)results[0]!["miss_ratio"]!);
        // The same results as mmsim replay --json.
        var cli = JsonNode.Parse(Cli("replay", "--refs", "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", "--frames", "3", "--policy", "fifo,lru,opt", "--json"))!;
        Assert.True(JsonNode.DeepEquals(cli["results"], doc["results"]));
        var fifo = doc["explain"]!.AsArray()[0]!;
        Assert.Equal(15, (int)fifo["faults"]!);
        var steps = fifo["steps"]!.AsArray();
        Assert.Equal(20, steps.Count);
        Assert.Equal("[7,null,null]", steps[0]!["frames"]!.ToJsonString());
        Assert.Equal("[2,0,1]", steps[3]!["frames"]!.ToJsonString()); // 2 replaces 7, the first in
        Assert.Equal(7, (long)steps[3]!["evicted"]!);
        Assert.False((bool)steps[4]!["fault"]!); // 0 is resident
    }

    [Fact]
    public async Task Replay_shows_beladys_anomaly()
    {
        var (_, doc) = await Post("api/replay", """{ "refs": "1,2,3,4,1,2,5,1,2,3,4,5", "frames": [3, 4], "policies": ["fifo"] }""");
        Assert.Equal([9L, 10L], doc["results"]!.AsArray().Select(r => (long)r!["misses"]!));
        Assert.Null(doc["explain"]);
    }

    [Theory]
    [InlineData("""{ "refs": "7,x", "frames": [3], "policies": ["fifo"] }""", "--refs: reference 2: expected a page number")]
    [InlineData("""{ "refs": "7,0", "frames": [3], "policies": ["fifoo"] }""", "unknown policy 'fifoo'")]
    [InlineData("""{ "refs": "7,0", "frames": [0], "policies": ["fifo"] }""", "frames: expected a number of frames from 1 to 1,000,000, got 0")]
    [InlineData("""{ "frames": [3], "policies": ["fifo"] }""", "refs: expected \"refs\"")]
    [InlineData("""not json""", "the body is not valid JSON")]
    public async Task Replay_bad_input_is_400(string body, string message)
    {
        var (status, doc) = await Post("api/replay", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, (string)doc["error"]!);
    }

    [Fact]
    public async Task Translate_is_the_cli_document()
    {
        var (status, doc) = await Post("api/translate", """{ "scheme": "x86_64", "address": "0x00007f1234567abc" }""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([254L, 72L, 418L, 359L], doc["levels"]!.AsArray().Select(l => (long)l!["index"]!));
        Assert.Equal(2748, (int)doc["offset"]!);
        var cli = JsonNode.Parse(Cli("translate", "0x00007f1234567abc", "--json"))!;
        Assert.True(JsonNode.DeepEquals(cli, doc));
    }

    [Fact]
    public async Task Translate_large_page_and_i386()
    {
        var (_, big) = await Post("api/translate", """{ "scheme": "x86_64", "address": "0x7f1234567abc", "page": "2MiB" }""");
        Assert.Equal(["PGD", "PUD", "PMD"], big["levels"]!.AsArray().Select(l => (string)l!["name"]!));
        Assert.Equal(0x167abc, (int)big["offset"]!);
        var (_, i386) = await Post("api/translate", """{ "scheme": "i386", "address": "0xc0001234" }""");
        Assert.Equal("kernel", (string)i386["space"]!);
        Assert.Equal([0x300L, 1L], i386["levels"]!.AsArray().Select(l => (long)l!["index"]!));
    }

    [Fact]
    public async Task Translate_segments_checks_base_and_limit()
    {
        var (_, ok) = await Post("api/translate", """{ "segments": "0:1400:1000,1:6300:400,2:4300:400:r", "segment": 2, "offset": 53 }""");
        Assert.Equal(4353, (long)ok["physical"]!);
        var (_, limit) = await Post("api/translate", """{ "segments": "0:1400:1000,1:6300:400,2:4300:400:r", "segment": 1, "offset": 1222 }""");
        Assert.Equal("limit", (string)limit["fault"]!);
        var (_, prot) = await Post("api/translate", """{ "segments": "0:1400:1000,1:6300:400,2:4300:400:r", "segment": 2, "offset": 5, "access": "w" }""");
        Assert.Equal("protection", (string)prot["fault"]!);
        var cli = JsonNode.Parse(Cli("translate", "--segments", "0:1400:1000,1:6300:400,2:4300:400:r", "--segment", "1", "--offset", "1222", "--json"))!;
        Assert.True(JsonNode.DeepEquals(cli, limit));
    }

    [Fact]
    public async Task Translate_walks_a_simulated_process_page_table_like_the_cli()
    {
        var (status, doc) = await Post("api/translate", """{ "builtin": "oom-protect", "pid": 1000, "address": "0x7ffff11ffabc", "access": "w" }""");
        Assert.Equal(HttpStatusCode.OK, status);
        var vmas = doc["vmas"]!.AsArray();
        Assert.Equal("heap", (string)vmas[0]!["name"]!);
        Assert.Equal("0x7ffff11ff000", (string)vmas[0]!["start"]!);
        doc.AsObject().Remove("vmas");
        var cli = JsonNode.Parse(Cli("translate", "--scenario", "oom-protect", "--pid", "1000", "0x7ffff11ffabc", "--access", "w", "--json"))!;
        Assert.True(JsonNode.DeepEquals(cli, doc), doc.ToJsonString());
        Assert.Equal(["PGD", "PUD", "PMD", "PTE"], doc["levels"]!.AsArray().Select(l => (string)l!["name"]!));
        Assert.Null((string?)doc["fault"]);
        Assert.EndsWith("abc", (string)doc["physical"]!);
        // The run's processes carry their mappings for the page to offer.
        var (_, run) = await Post("api/run?builtin=oom-protect", "", "text/yaml");
        var db = run["lab"]!["processes"]!.AsArray().Single(p => (int)p!["pid"]! == 1000)!;
        Assert.Equal("0x7ffff7fff000", (string)db["vmas"]![0]!["end"]!);
        var (bad, err) = await Post("api/translate", """{ "builtin": "oom-protect", "pid": 4242, "address": "0x1" }""");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("pid: no process 4242 in the scenario; its pids are 1000, 1001, 1002", (string)err["error"]!);
    }

    [Fact]
    public async Task Translate_bad_input_is_400()
    {
        var (status, doc) = await Post("api/translate", """{ "scheme": "i386", "address": "0x1ffffffff" }""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("address: address 0x1ffffffff is wider than 32 bits, the addresses of scheme i386 (at most 0xffffffff)", (string)doc["error"]!);
        var (s2, d2) = await Post("api/translate", """{ "scheme": "sparc", "address": "0x1" }""");
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.StartsWith("--scheme: unknown scheme 'sparc'", (string)d2["error"]!);
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", "zh")]
    [InlineData("en-US,en;q=0.9", "en")]
    [InlineData("de-DE,zh;q=0.5", "zh")]
    [InlineData("de-DE", "en")]
    [InlineData("", "en")]
    public async Task Page_language_comes_from_accept_language(string accept, string lang)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, "/");
        if (accept != "") req.Headers.TryAddWithoutValidation("Accept-Language", accept);
        var r = await Http.SendAsync(req);
        string html = await r.Content.ReadAsStringAsync();
        Assert.Contains($"<html lang=\"{lang}\">", html);
    }

    [Fact]
    public async Task Languages_are_the_resource_files_and_have_the_same_keys()
    {
        Assert.Equal(["en", "zh"], JsonNode.Parse(await Http.GetStringAsync("api/languages"))!.AsArray().Select(x => (string)x!));
        var en = JsonNode.Parse(await Http.GetStringAsync("i18n/en.json"))!.AsObject().Select(p => p.Key).Order();
        var zh = JsonNode.Parse(await Http.GetStringAsync("i18n/zh.json"))!.AsObject().Select(p => p.Key).Order();
        Assert.Equal(en, zh);
    }

    [Fact]
    public async Task Page_loads_nothing_from_another_site()
    {
        var r = await Http.GetAsync("/");
        Assert.Contains("default-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single());
        string html = await r.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        foreach (var asset in new[] { "js/main.js", "css/lab.css", "vendor/uplot-1.6.32/uPlot.iife.min.js", "vendor/uplot-1.6.32/uPlot.min.css" })
        {
            var a = await Http.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        }
        Assert.Contains("MIT License", await Http.GetStringAsync("vendor/uplot-1.6.32/LICENSE"));
        Assert.Equal("text/javascript; charset=utf-8", (await Http.GetAsync("js/main.js")).Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("nope.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("api/nope")).StatusCode);
    }

    [Fact]
    public void Listens_on_loopback_by_default()
    {
        Assert.Equal("127.0.0.1", new WebLabOptions().Host);
        Assert.StartsWith("http://127.0.0.1:", fixture.Server.Url);
    }
}

/// <summary>The step-mode events of a run with swapping and reclaim.</summary>
public sealed class StepTests(SharedServer fixture) : IClassFixture<SharedServer>
{
    [Fact]
    public async Task Swap_out_bursts_add_up_to_pswpout_and_stalls_start_at_the_min_watermark()
    {
        var r = await fixture.Server.Client.PostAsync("api/run?builtin=swap-before-oom", new StringContent(""));
        var doc = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        var steps = doc["lab"]!["steps"]!.AsArray();
        var bursts = steps.Where(s => (string)s!["kind"]! == "swap_out").ToList();
        Assert.NotEmpty(bursts);
        long pswpout = (long)doc["vmstat"]!["pswpout"]!;
        Assert.True(pswpout > 0);
        Assert.Equal(pswpout, bursts.Sum(b => (long)b!["args"]!["pages"]!));
        Assert.Equal(pswpout * 4, bursts.Sum(b => (long)b!["args"]!["size_kb"]!));
        var stalls = steps.Where(s => (string)s!["kind"]! == "direct_reclaim").ToList();
        Assert.NotEmpty(stalls);
        // __alloc_pages_slowpath reclaims only when the allocation failed the min watermark: free <= min.
        foreach (var s in stalls) Assert.True((long)s!["args"]!["free_kb"]! <= (long)s["args"]!["min_kb"]!);
        Assert.Equal("small", (string)stalls[0]!["args"]!["comm"]!);
        // Steps are in the order things happened: kswapd wakes before the first stall.
        int wake = steps.ToList().FindIndex(s => (string)s!["kind"]! == "kswapd_wake");
        int stall = steps.ToList().FindIndex(s => (string)s!["kind"]! == "direct_reclaim");
        Assert.InRange(wake, 0, stall - 1);
    }
}
