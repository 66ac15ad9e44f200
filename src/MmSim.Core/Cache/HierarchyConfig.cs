using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MmSim.Cache;

/// <summary>One level of a hierarchy: its name (l1d, l1i, l2, l3), geometry and load-to-use latency in cycles.</summary>
public sealed record LevelConfig(string Name, CacheConfig Cache, double Latency);

/// <summary>
/// A cache hierarchy: L1d (required), L1i, L2, L3 (optional), then RAM. Latencies are load-to-use cycles at
/// <see cref="ClockGhz"/>; RAM's is given in ns.
/// </summary>
public sealed record HierarchyConfig(IReadOnlyList<LevelConfig> Levels, double ClockGhz, double RamLatencyNs)
{
    public double RamLatencyCycles => RamLatencyNs * ClockGhz;

    /// <summary>
    /// A current x86-64 desktop core: Intel Raptor Cove (Core i9-13900K P-core) figures, rounded, from Intel's
    /// optimization reference manual (Golden Cove tables) and Chips and Cheese measurements: L1d 48 KiB 12-way
    /// 5 cycles, L1i 32 KiB 8-way, L2 2 MiB 16-way 16 cycles, shared L3 36 MiB 12-way ~50 cycles, DDR5 ~90 ns,
    /// 64-byte lines, 5 GHz.
    /// </summary>
    public static HierarchyConfig Default { get; } = new(
    [
        new("l1d", CacheConfig.FromSize(48 << 10, 12, 64, "default"), 5),
        new("l1i", CacheConfig.FromSize(32 << 10, 8, 64, "default"), 5),
        new("l2", CacheConfig.FromSize(2 << 20, 16, 64, "default"), 16),
        new("l3", CacheConfig.FromSize(36 << 20, 12, 64, "default"), 50),
    ], 5.0, 90);

    public static HierarchyConfig Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, 0, $"cannot read the hierarchy: {ex.Message}", inner: ex);
        }
        return Parse(text, path);
    }

    public static HierarchyConfig Parse(string yaml, string source)
    {
        HierarchyYaml doc;
        try
        {
            doc = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
                .Deserialize<HierarchyYaml>(yaml) ?? throw new InputException(source, 0, "the hierarchy file is empty");
        }
        catch (YamlException ex)
        {
            throw new InputException(source, (int)ex.Start.Line, (ex.InnerException?.Message ?? ex.Message), (int)ex.Start.Column, ex);
        }
        if (doc.L1d == null) throw new InputException(source, 0, "expected an l1d level");
        if (!(doc.ClockGhz > 0)) throw new InputException(source, 0, "expected clock_ghz > 0");
        if (!(doc.RamLatencyNs >= 0)) throw new InputException(source, 0, "expected ram_latency_ns >= 0");
        var levels = new List<LevelConfig> { Level("l1d", doc.L1d, source) };
        if (doc.L1i != null) levels.Add(Level("l1i", doc.L1i, source));
        if (doc.L2 != null) levels.Add(Level("l2", doc.L2, source));
        if (doc.L3 != null)
        {
            if (doc.L2 == null) throw new InputException(source, 0, "l3 without l2");
            levels.Add(Level("l3", doc.L3, source));
        }
        return new HierarchyConfig(levels, doc.ClockGhz, doc.RamLatencyNs);
    }

    private static LevelConfig Level(string name, LevelYaml y, string source)
    {
        string where = $"{source} ({name})";
        if (!(y.Latency >= 0)) throw new InputException(where, 0, "expected latency >= 0 (cycles)");
        return new LevelConfig(name, CacheConfig.FromSize(ParseSize(y.Size, where), y.Ways, ParseSize(y.Line, where), where), y.Latency);
    }

    /// <summary>Bytes from "64", "48KiB", "1.25MiB", "2M" (K, M, G are binary).</summary>
    public static long ParseSize(string? text, string source)
    {
        string t = (text ?? "").Trim();
        long unit = 1;
        foreach (var (suffix, u) in new[] { ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1L) })
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) { unit = u; t = t[..^suffix.Length].Trim(); break; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || v * unit != Math.Floor(v * unit))
            throw new InputException(source, 0, $"expected a size such as 64, 48KiB or 1.25MiB, got '{text}'");
        return (long)(v * unit);
    }

    private sealed class HierarchyYaml
    {
        public double ClockGhz { get; set; } = 1;
        public double RamLatencyNs { get; set; } = 100;
        public LevelYaml? L1d { get; set; }
        public LevelYaml? L1i { get; set; }
        public LevelYaml? L2 { get; set; }
        public LevelYaml? L3 { get; set; }
    }

    private sealed class LevelYaml
    {
        public string? Size { get; set; }
        public int Ways { get; set; } = 1;
        public string? Line { get; set; } = "64";
        public double Latency { get; set; }
    }
}
