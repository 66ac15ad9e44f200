using System.CommandLine;
using System.Text.Json;
using MmSim.Cache;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim cache</c>: a CPU cache simulator compatible with the CS:APP Cache Lab reference (csim-ref),
/// or a whole L1/L2/L3 hierarchy with --hierarchy (see docs/cache.md).</summary>
public static class CacheCommand
{
    public static Command Create()
    {
        var cmd = new Command("cache", "Simulate a CPU cache on a valgrind lackey trace, like the Cache Lab reference (see docs/cache.md)");
        var s = new Option<int?>("-s") { Description = "Set-index bits (2^s sets; 0 = fully associative)" };
        var e = new Option<int?>("-E") { Description = "Lines per set (associativity)" };
        var b = new Option<int?>("-b") { Description = "Block bits (2^b bytes per block)" };
        var t = new Option<string>("-t") { Description = "valgrind lackey trace file", Required = true };
        var v = new Option<bool>("-v") { Description = "Print each access's hits, misses and evictions (the reference's format)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var policy = new Option<string>("--policy") { Description = "Replacement: lru, fifo or random", DefaultValueFactory = _ => "lru" };
        var seed = new Option<ulong>("--seed") { Description = "random: generator seed", DefaultValueFactory = _ => 1 };
        var writeThrough = new Option<bool>("--write-through") { Description = "Write-through instead of write-back" };
        var noAlloc = new Option<bool>("--no-write-allocate") { Description = "A store miss does not load the line" };
        var hierarchy = new Option<string?>("--hierarchy") { Description = "Simulate L1d/L1i/L2/L3 from this YAML file, or 'default' (a current x86-64 desktop)" };
        var plot = new Option<string?>("--plot") { Description = "With --hierarchy: write a PNG of the accesses each level served and the time they cost" };
        foreach (var o in new Option[] { s, e, b, t, v, json, policy, seed, writeThrough, noAlloc, hierarchy, plot }) cmd.Options.Add(o);

        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(t)!;
            string? h = parse.GetValue(hierarchy);
            if (h != null)
            {
                var cfg = h == "default" ? HierarchyConfig.Default : HierarchyConfig.Load(h);
                var hier = new CacheHierarchy(cfg);
                // -v: one line per access naming the level that served it (an M record gives two lines).
                CacheHierarchy.Observer? observer = parse.GetValue(v)
                    ? (in LackeyRecord r, bool second, int served) => output.WriteLine(hier.VerboseLine(r, second, served))
                    : null;
                using (var reader = LackeyRecordReader.Open(path)) hier.Run(reader, observer);
                var report = Reports.CachesReport.Of(hier);
                if (parse.GetValue(plot) is { } png) Reports.CachePlot.Write(png, report, Path.GetFileName(path));
                if (parse.GetValue(json)) WriteHierarchyJson(output, hier);
                else
                {
                    foreach (var line in hier.Report()) output.WriteLine(line);
                    output.WriteLine();
                    Formatting.CachesText.Write(Formatting.Consoles.For(output), report, "memory hierarchy");
                }
                return 0;
            }
            if (parse.GetValue(plot) is not null) throw new InputException("--plot", 0, "draws a hierarchy: give --hierarchy FILE.yaml or default");
            if (parse.GetValue(s) is not int sv || parse.GetValue(e) is not int ev || parse.GetValue(b) is not int bv)
                throw new InputException("command line", 0, "expected -s, -E and -b (or --hierarchy)");
            var config = CacheConfig.FromLab(sv, ev, bv) with
            {
                Replacement = ParsePolicy(parse.GetValue(policy) ?? "lru"),
                Seed = parse.GetValue(seed),
                WriteBack = !parse.GetValue(writeThrough),
                WriteAllocate = !parse.GetValue(noAlloc),
            };
            var cache = new SetAssociativeCache(config);
            bool verbose = parse.GetValue(v);
            using (var reader = LackeyRecordReader.Open(path))
                CacheLab.Run(reader, cache, verbose ? (in LackeyRecord r, AccessResult x, AccessResult y) => output.WriteLine(CacheLab.VerboseLine(r, x, y)) : null);
            if (parse.GetValue(json))
            {
                WriteJson(output, j =>
                {
                    j.WriteNumber("hits", cache.Hits);
                    j.WriteNumber("misses", cache.Misses);
                    j.WriteNumber("evictions", cache.Evictions);
                    j.WriteNumber("dirty_evictions", cache.DirtyEvictions);
                });
            }
            else output.WriteLine(CacheLab.Summary(cache));
            return 0;
        });
        return cmd;
    }

    private static Replacement ParsePolicy(string p) => p.ToLowerInvariant() switch
    {
        "lru" => Replacement.Lru,
        "fifo" => Replacement.Fifo,
        "random" => Replacement.Random,
        _ => throw new InputException("--policy", 0, $"expected lru, fifo or random, got '{p}'"),
    };

    private static void WriteHierarchyJson(TextWriter w, CacheHierarchy h) => WriteJson(w, j =>
    {
        j.WriteNumber("accesses", h.Accesses);
        j.WriteStartArray("levels");
        foreach (var l in h.Levels)
        {
            j.WriteStartObject();
            j.WriteString("name", l.Name);
            j.WriteNumber("size_bytes", l.Cache.Config.SizeBytes);
            j.WriteNumber("ways", l.Cache.Config.Ways);
            j.WriteNumber("line_bytes", 1L << l.Cache.Config.BlockBits);
            j.WriteNumber("latency_cycles", l.Latency);
            j.WriteNumber("hits", l.Cache.Hits);
            j.WriteNumber("misses", l.Cache.Misses);
            j.WriteNumber("evictions", l.Cache.Evictions);
            j.WriteNumber("dirty_evictions", l.Cache.DirtyEvictions);
            j.WriteNumber("time_ns", l.Cache.Hits * h.CostPs(h.Levels.ToList().IndexOf(l)) / 1000.0);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteNumber("ram_accesses", h.RamAccesses);
        j.WriteNumber("ram_time_ns", h.RamAccesses * h.CostPs(h.Ram) / 1000.0);
        j.WriteNumber("ram_latency_cycles", h.Config.RamLatencyCycles);
        j.WriteNumber("amat_cycles", h.AmatCycles);
        j.WriteNumber("amat_ns", h.AmatNs);
    });

    private static void WriteJson(TextWriter w, Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            body(j);
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
