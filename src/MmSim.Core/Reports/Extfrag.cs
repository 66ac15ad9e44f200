using System.Globalization;
using System.Text.Json.Serialization;
using MmSim.Physical;

namespace MmSim.Reports;

/// <summary>
/// The buddy allocator's external fragmentation, per populated zone and per order, as debugfs shows it in
/// /sys/kernel/debug/extfrag/unusable_index and extfrag_index (mm/vmstat.c: unusable_show_print and
/// extfrag_show_print over <see cref="ContigPageInfo"/>). The numbers are the kernel's, in thousandths:
/// unusable free space index 0..1000 (share of free memory in blocks too small for the order), fragmentation
/// index −1000 (the allocation would succeed), else 0..1000 (towards 0 a lack of memory, towards 1000 external
/// fragmentation).
/// </summary>
public sealed class ExtfragReport
{
    /// <summary>The lines of /sys/kernel/debug/extfrag/unusable_index.</summary>
    [JsonPropertyName("unusable_index")] public List<string> UnusableIndex { get; init; } = [];
    /// <summary>The lines of /sys/kernel/debug/extfrag/extfrag_index.</summary>
    [JsonPropertyName("extfrag_index")] public List<string> ExtfragIndex { get; init; } = [];
    [JsonPropertyName("zones")] public List<ZoneIndices> Zones { get; init; } = [];

    public sealed record ZoneIndices(
        [property: JsonPropertyName("zone")] string Zone,
        [property: JsonPropertyName("unusable_index")] int[] UnusableIndex,
        [property: JsonPropertyName("extfrag_index")] int[] ExtfragIndex);

    public static ExtfragReport Build(PhysicalMemory phys)
    {
        var r = new ExtfragReport();
        foreach (var z in phys.Zones)
        {
            if (!z.IsPopulated) continue; // walk_zones_in_node(..., assert_populated = true, ...)
            var unusable = new int[Buddy.MaxOrder + 1];
            var extfrag = new int[Buddy.MaxOrder + 1];
            for (int order = 0; order <= Buddy.MaxOrder; order++) // order < NR_PAGE_ORDERS
            {
                var info = ContigPageInfo.Fill(z, order);
                unusable[order] = ContigPageInfo.UnusableFreeIndex(order, info);
                extfrag[order] = ContigPageInfo.FragmentationIndex(order, info);
            }
            r.Zones.Add(new ZoneIndices(z.Name, unusable, extfrag));
            r.UnusableIndex.Add(Line(z.Name, unusable, i => $"{i / 1000}.{i % 1000:000} "));
            r.ExtfragIndex.Add(Line(z.Name, extfrag, i => $"{i / 1000,2}.{Math.Abs(i % 1000):000} "));
        }
        return r;
    }

    /// <summary>seq_printf(m, "Node %d, zone %8s ", ...) then one field per order and '\n' (not kept here).</summary>
    private static string Line(string zone, int[] values, Func<int, string> field)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Node 0, zone {zone,8} ");
        foreach (int v in values) sb.Append(field(v));
        return sb.ToString();
    }
}
