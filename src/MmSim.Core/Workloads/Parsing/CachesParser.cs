using MmSim.Cache;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>
/// Reads <c>machine.caches:</c> into a <see cref="HierarchyConfig"/>: <c>default</c> (the x86-64 desktop core of
/// <see cref="HierarchyConfig.Default"/>) or the shape of an <c>mmsim cache --hierarchy</c> file:
/// <c>{ clock_ghz, ram_latency_ns, l1d: { size, ways, line, latency }, l1i, l2, l3 }</c>.
/// </summary>
internal static class CachesParser
{
    public static readonly string[] Keys = ["clock_ghz", "ram_latency_ns", "l1d", "l1i", "l2", "l3"];
    private static readonly string[] LevelKeys = ["size", "ways", "line", "latency"];

    public static HierarchyConfig Parse(string source, YamlNode node)
    {
        if (node is YamlScalarNode scalar && !YamlScalars.IsNull(scalar))
        {
            string text = YamlScalars.Text(source, node, "machine.caches");
            if (text == "default") return HierarchyConfig.Default;
            throw YamlScalars.Error(source, node,
                $"machine.caches must be 'default' or a mapping {{ clock_ghz, ram_latency_ns, l1d: {{ size, ways, line, latency }}, l1i, l2, l3 }}, got '{text}'");
        }
        var map = YamlMap.Of(source, node, "machine.caches", Keys);
        double clock = map.Double("clock_ghz", 0, 1000) ?? HierarchyConfig.Default.ClockGhz;
        if (!(clock > 0)) throw map.Error("clock_ghz", "machine.caches.clock_ghz must be greater than 0");
        double ram = map.Double("ram_latency_ns", 0, 1e9) ?? HierarchyConfig.Default.RamLatencyNs;
        if (!map.Has("l1d")) throw YamlScalars.Error(source, map.Node, "machine.caches needs 'l1d' (the first-level data cache)");
        if (map.Has("l3") && !map.Has("l2")) throw map.Error("l3", "machine.caches.l3 needs an l2");
        var levels = new List<LevelConfig>();
        foreach (var name in new[] { "l1d", "l1i", "l2", "l3" })
            if (map.Get(name) is { } level) levels.Add(Level(source, name, level));
        return new HierarchyConfig(levels, clock, ram);
    }

    private static LevelConfig Level(string source, string name, YamlNode node)
    {
        var map = YamlMap.Of(source, node, $"machine.caches.{name}", LevelKeys, "a mapping { size: 48KiB, ways: 12, line: 64, latency: 5 }");
        long size = map.Size("size") ?? throw YamlScalars.Error(source, map.Node, $"machine.caches.{name} needs 'size'");
        int ways = map.Int("ways", 1, 1 << 16) ?? 1;
        long line = map.Size("line") ?? 64;
        double latency = map.Double("latency", 0, 1e9) ?? throw YamlScalars.Error(source, map.Node, $"machine.caches.{name} needs 'latency' (load-to-use cycles)");
        try
        {
            return new LevelConfig(name, CacheConfig.FromSize(size, ways, line, $"machine.caches.{name}"), latency);
        }
        catch (InputException ex)
        {
            throw YamlScalars.Error(source, map.Node, $"machine.caches.{name}: {ex.Message}");
        }
    }
}
