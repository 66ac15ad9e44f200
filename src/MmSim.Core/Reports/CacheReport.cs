using System.Text.Json.Serialization;
using MmSim.Cache;

namespace MmSim.Reports;

/// <summary>One cache level in a report: its geometry and what it did (for the machine, or one process's share).</summary>
public sealed class CacheLevelReport
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("size_bytes")] public long? SizeBytes { get; init; }
    [JsonPropertyName("ways")] public int? Ways { get; init; }
    [JsonPropertyName("line_bytes")] public long? LineBytes { get; init; }
    [JsonPropertyName("latency_cycles")] public double? LatencyCycles { get; init; }
    [JsonPropertyName("hits")] public long Hits { get; init; }
    [JsonPropertyName("misses")] public long Misses { get; init; }
    /// <summary>hits / (hits + misses); null when the level saw no access.</summary>
    [JsonPropertyName("hit_ratio")] public double? HitRatio { get; init; }
    [JsonPropertyName("evictions")] public long? Evictions { get; init; }
    [JsonPropertyName("dirty_evictions")] public long? DirtyEvictions { get; init; }
    /// <summary>Time spent by the accesses this level served (its latency each).</summary>
    [JsonPropertyName("time_ns")] public double? TimeNs { get; init; }

    /// <summary>Accesses this level served (its hits; RAM's accesses for the RAM row).</summary>
    [JsonIgnore] public long Served => Hits;

    public static double? Ratio(long hits, long misses) => hits + misses == 0 ? null : (double)hits / (hits + misses);
}

/// <summary>The machine's CPU caches over the whole run (<c>caches</c> in the JSON report).</summary>
public sealed class CachesReport
{
    [JsonPropertyName("clock_ghz")] public double ClockGhz { get; init; }
    [JsonPropertyName("ram_latency_ns")] public double RamLatencyNs { get; init; }
    [JsonPropertyName("levels")] public List<CacheLevelReport> Levels { get; init; } = new();
    [JsonPropertyName("accesses")] public long Accesses { get; init; }
    [JsonPropertyName("ram_accesses")] public long RamAccesses { get; init; }
    /// <summary>Time spent by the accesses RAM served.</summary>
    [JsonPropertyName("ram_time_ns")] public double RamTimeNs { get; init; }
    [JsonPropertyName("amat_cycles")] public double AmatCycles { get; init; }
    [JsonPropertyName("amat_ns")] public double AmatNs { get; init; }

    public static CachesReport Of(CacheHierarchy h) => new()
    {
        ClockGhz = h.Config.ClockGhz,
        RamLatencyNs = h.Config.RamLatencyNs,
        Levels = h.Levels.Select((l, i) => new CacheLevelReport
        {
            Name = l.Name, SizeBytes = l.Cache.Config.SizeBytes, Ways = l.Cache.Config.Ways,
            LineBytes = 1L << l.Cache.Config.BlockBits, LatencyCycles = l.Latency,
            Hits = l.Cache.Hits, Misses = l.Cache.Misses, HitRatio = CacheLevelReport.Ratio(l.Cache.Hits, l.Cache.Misses),
            Evictions = l.Cache.Evictions, DirtyEvictions = l.Cache.DirtyEvictions,
            TimeNs = l.Cache.Hits * h.CostPs(i) / 1000.0,
        }).ToList(),
        Accesses = h.Accesses,
        RamAccesses = h.RamAccesses,
        RamTimeNs = h.RamAccesses * h.CostPs(h.Ram) / 1000.0,
        AmatCycles = h.AmatCycles,
        AmatNs = h.AmatNs,
    };
}

/// <summary>One process's share of the caches and where its simulated time went (<c>processes[].caches</c>).</summary>
public sealed class ProcessCachesReport
{
    [JsonPropertyName("accesses")] public long Accesses { get; init; }
    [JsonPropertyName("levels")] public List<CacheLevelReport> Levels { get; init; } = new();
    [JsonPropertyName("ram_accesses")] public long RamAccesses { get; init; }
    /// <summary>Simulated time by where it went: each cache level and RAM (the accesses each served), the page walks
    /// after TLB misses, the page faults' CPU cost, and the wait for disk and swap I/O.</summary>
    [JsonPropertyName("time_ns")] public OrderedDictionary<string, double> TimeNs { get; init; } = new();

    public static ProcessCachesReport? Of(CacheTally? t, HierarchyConfig? config, long ioWaitNs)
    {
        if (t is null || config is null) return null;
        var r = new ProcessCachesReport { Accesses = t.Accesses, RamAccesses = t.RamAccesses };
        for (int i = 0; i < config.Levels.Count; i++)
        {
            r.Levels.Add(new CacheLevelReport
            {
                Name = config.Levels[i].Name, Hits = t.Hits[i], Misses = t.Misses[i],
                HitRatio = CacheLevelReport.Ratio(t.Hits[i], t.Misses[i]), TimeNs = t.ServedPs[i] / 1000.0,
            });
            r.TimeNs[config.Levels[i].Name] = t.ServedPs[i] / 1000.0;
        }
        r.TimeNs["ram"] = t.ServedPs[^1] / 1000.0;
        r.TimeNs["tlb_walk"] = t.WalkNs;
        r.TimeNs["faults"] = t.FaultNs;
        r.TimeNs["io_wait"] = ioWaitNs;
        return r;
    }
}
