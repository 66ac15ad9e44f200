using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Cache;

/// <summary>The scenario <c>trace</c> step: a lackey trace through TLB, page tables, faults and machine.caches.</summary>
public class TraceStepTests
{
    private const string Caches = """
          caches:
            clock_ghz: 1
            ram_latency_ns: 100
            l1d: { size: 256, ways: 2, line: 64, latency: 2 }
            l1i: { size: 256, ways: 2, line: 64, latency: 2 }
            l2: { size: 1KiB, ways: 4, line: 64, latency: 10 }
        """;

    // A fetch (code chunk), the first data access (the stack), a load of never-written heap (the zero page), a
    // modify of the same line (load hits, store copies the zero page), a second fetch of the first line.
    private const string Trace = "I  00400000,4\n S 7ff000ff8,8\n L 00600000,8\n M 00600008,8\nI  00400004,4\n";

    private static string Dir()
    {
        string d = Path.Combine(TestTemp.Dir, $"mmsim-tracestep-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    private static string Scenario(string dir, string traceFile, string machineExtra = Caches) => Write(dir, "s.yaml", $"""
        machine:
          memory: 64MiB
          latency: {"{"} access: 100ns, tlb_miss_per_level: 100ns, minor_fault: 1us, major_fault: 50us {"}"}
        {machineExtra}
        processes:
          - name: prog
            steps:
              - trace: {"{"} file: {traceFile}, format: lackey {"}"}
        """);

    private static string Write(string dir, string name, string text)
    {
        string p = Path.Combine(dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    private static RunReport Run(string scenarioPath)
    {
        var m = new SimMachine(ScenarioLoader.LoadFile(scenarioPath));
        m.Run();
        m.CheckInvariants();
        return RunReport.Build(m);
    }

    [Fact]
    public void Each_access_goes_through_faults_tlb_and_each_cache_level()
    {
        string dir = Dir();
        Write(dir, "t.lackey", Trace);
        var r = Run(Scenario(dir, "t.lackey"));
        var p = r.Processes.Single();
        Assert.Equal(6, p.Accesses);                      // M is a load and a store
        Assert.Equal((3L, 1L), (p.MinFlt, p.MajFlt));     // stack zero-fill, zero page, its copy-on-write; code from disk
        Assert.Equal(12288, p.VmSize);                    // code 2 MiB + stack 8 MiB + heap 2 MiB
        Assert.Equal(8192, p.VmStk);
        var c = p.Caches!;
        Assert.Equal(6, c.Accesses);
        Assert.Equal(["l1d", "l1i", "l2"], c.Levels.Select(l => l.Name));
        // l1d: the store misses, the load of the zero page misses, the M load hits that line, the M store misses:
        // copy-on-write gave the page a new frame, and the caches are indexed by physical address.
        Assert.Equal([(1L, 3L), (1L, 1L), (0L, 4L)], c.Levels.Select(l => (l.Hits, l.Misses)));
        Assert.Equal(4, c.RamAccesses);
        Assert.Equal(2.0, c.TimeNs["l1d"]);
        Assert.Equal(2.0, c.TimeNs["l1i"]);
        Assert.Equal(0.0, c.TimeNs["l2"]);
        Assert.Equal(400.0, c.TimeNs["ram"]);
        // 5 walks of 4 levels: after each of the 4 faults, and the last fetch: the direct-mapped 64-entry TLB lost
        // page 0x400 to page 0x600 (both in entry 0).
        Assert.Equal(5 * 4 * 100.0, c.TimeNs["tlb_walk"]);
        Assert.Equal(4 * 1000.0, c.TimeNs["faults"]);
        Assert.Equal(p.IoWaitNs, c.TimeNs["io_wait"]);
        Assert.True(p.IoWaitNs >= 50_000);
        // The machine-wide view agrees with the only process.
        Assert.Equal([(1L, 3L), (1L, 1L), (0L, 4L)], r.Caches!.Levels.Select(l => (l.Hits, l.Misses)));
        Assert.Equal(4, r.Caches.RamAccesses);
        var maps = r.Events.Where(e => e.Message.Contains("on first touch")).Select(e => e.Message).ToList();
        Assert.Equal(
        [
            "prog[1000]: trace: code mapped at [0x400000, 0x600000) on first touch of 0x400000",
            "prog[1000]: trace: stack mapped at [0x7fea00000, 0x7ff200000) on first touch of 0x7ff000ff8",
            "prog[1000]: trace: heap mapped at [0x600000, 0x800000) on first touch of 0x600000",
        ], maps);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_gz_trace_gives_the_same_run()
    {
        string dir = Dir();
        Write(dir, "t.lackey", Trace);
        using (var f = File.Create(Path.Combine(dir, "t.lackey.gz")))
        using (var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Optimal))
            gz.Write(System.Text.Encoding.ASCII.GetBytes(Trace));
        string plain = Run(Scenario(dir, "t.lackey")).ToJson();
        string zipped = Run(Scenario(dir, "t.lackey.gz")).ToJson();
        Assert.Equal(plain.Replace("t.lackey", "t.lackey.gz"), zipped);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Without_caches_an_access_costs_latency_access_and_there_is_no_cache_report()
    {
        string dir = Dir();
        Write(dir, "t.lackey", " S 7ff000ff8,8\n L 7ff000ff0,8\n L 7ff000fe8,8\n");
        var r = Run(Scenario(dir, "t.lackey", ""));
        var p = r.Processes.Single();
        Assert.Null(r.Caches);
        Assert.Null(p.Caches);
        // zero-fill fault (1 us) + walk (400) + access (100), then two TLB hits (100 each)
        Assert.Equal(1000 + 400 + 100 + 200, p.CpuNs);
    }

    [Fact]
    public void A_malformed_trace_line_is_exit_2_naming_file_and_line()
    {
        string dir = Dir();
        string t = Write(dir, "bad.lackey", "I  00400000,4\n S 7ff000ff8,8\n X 12,4\n");
        var r = CacheCli.Run("run", Scenario(dir, "bad.lackey"));
        Assert.Equal(2, r.Code);
        Assert.Equal($"mmsim: {t}:3: expected a lackey record 'I|L|S|M hexaddr,size', got 'X 12,4'\n", r.Err.Replace("\r\n", "\n"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_missing_trace_file_names_the_scenario_line()
    {
        string dir = Dir();
        string s = Scenario(dir, "nope.lackey");
        var r = CacheCli.Run("run", s);
        Assert.Equal(2, r.Code);
        Assert.StartsWith($"mmsim: {s}:13:", r.Err); // the file key, after the 6 lines of machine.caches
        Assert.Contains("trace file 'nope.lackey' not found", r.Err);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("  caches: fast", "machine.caches must be 'default' or a mapping")]
    [InlineData("  caches: { l2: { size: 1KiB, ways: 4, latency: 10 } }", "machine.caches needs 'l1d'")]
    [InlineData("  caches: { l1d: { size: 100, ways: 2, latency: 1 } }", "not a whole number of sets")]
    [InlineData("  caches: { l1d: { size: 256, ways: 2, latency: 1 }, l3: { size: 1KiB, latency: 9 } }", "machine.caches.l3 needs an l2")]
    [InlineData("  caches: { l1d: { size: 256, ways: 2, latency: 1 }, l4: {} }", "unknown key 'l4' in machine.caches")]
    public void Bad_machine_caches_are_exit_2(string caches, string message)
    {
        string dir = Dir();
        Write(dir, "t.lackey", Trace);
        var r = CacheCli.Run("run", Scenario(dir, "t.lackey", caches));
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
        Assert.Matches(@"s\.yaml:4:", r.Err);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Unknown_trace_format_is_an_error()
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadText(
            "processes:\n  - name: p\n    steps:\n      - trace: { file: x.lackey, format: pin }\n", "s.yaml"));
        Assert.Equal(4, ex.Line);
        Assert.Contains("invalid trace.format 'pin'", ex.Message);
    }

    [Fact]
    public void Matrix_walk_by_columns_misses_l1d_on_every_summing_load()
    {
        var r = RunReport.Build(Builtin("cache-matrix-walk"));
        var rows = r.Processes.Single(p => p.Name == "rows").Caches!.Levels.Single(l => l.Name == "l1d");
        var cols = r.Processes.Single(p => p.Name == "cols").Caches!.Levels.Single(l => l.Name == "l1d");
        // The same 16384 summing loads: by rows one miss per 64-byte line (1024), by columns every one misses
        // (16 lines 4 KiB apart share a 12-way set). The rest of both programs is the same code; the two processes
        // share the caches, so a few lines more or less may differ.
        Assert.Equal(rows.Hits + rows.Misses, cols.Hits + cols.Misses);
        Assert.InRange(cols.Misses - rows.Misses, 16384 - 1024, 16384 - 1024 + 128);
    }

    [Fact]
    public void The_built_in_is_deterministic_and_its_text_report_shows_the_hierarchy()
    {
        Assert.Equal(RunReport.Build(Builtin("cache-matrix-walk")).ToJson(), RunReport.Build(Builtin("cache-matrix-walk")).ToJson());
        string dir = Dir();
        string png = Path.Combine(dir, "m.png");
        var r = CacheCli.Run("run", "cache-matrix-walk", "--plot", png);
        Assert.Equal(0, r.Code);
        Assert.Contains("CPU caches per process (hit ratio; time in ns)", r.Out);
        Assert.Contains("accesses served by each level", r.Out);
        Assert.Contains("time spent in each level (ns)", r.Out);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(Path.Combine(dir, "m.caches.png")).Take(4));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Replaying_allocates_nothing_per_access()
    {
        string dir = Dir();
        long Allocated(int lines)
        {
            var sb = new System.Text.StringBuilder("I  00400000,4\n S 7ff000ff8,8\n");
            for (int i = 0; i < lines; i++) sb.Append(i % 3 == 0 ? " S " : " L ").Append((0x600000 + 8 * (i % 4096)).ToString("x")).Append(",8\n");
            Write(dir, "t.lackey", sb.ToString());
            var m = new SimMachine(ScenarioLoader.LoadFile(Scenario(dir, "t.lackey", "  caches: default")));
            long before = GC.GetAllocatedBytesForCurrentThread();
            m.Run();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(200_000); // warm up both sizes (first calls, the JIT's own tiering)
        Allocated(20_000);
        long small = Allocated(20_000), large = Allocated(200_000);
        // 180 000 more accesses (the same 8 pages, so the same faults and events): the few KB more that the runtime
        // allocates (reading 2.7 MB more of the file) are far below one object (24 bytes) per 100 accesses; one per access would be 4.3 MB.
        Assert.InRange(large - small, -24 * 1800, 24 * 1800);
        Directory.Delete(dir, true);
    }

    private static SimMachine Builtin(string name)
    {
        var m = new SimMachine(BuiltinScenarios.Load(name));
        m.Run();
        m.CheckInvariants();
        return m;
    }
}
