using MmSim.Segmentation;

namespace MmSim.Workloads;

/// <summary>The <c>machine:</c> keys of the segmented models (<c>translation: segmentation | segmented_paging</c>):
/// <c>placement</c> and <c>compaction</c>, a smaller default memory, and the paging-only keys refused.</summary>
internal static class SegmentMachineParser
{
    /// <summary>The simulator keeps every byte of a segmented machine's memory (so that compaction and swapping
    /// can be checked byte for byte): a small memory, as in the textbook's exercises.</summary>
    public const long MaxMemoryBytes = 64L << 20;

    /// <summary>The memory when <c>machine.memory</c> is not given.</summary>
    public const long DefaultMemoryBytes = 64L << 10;

    public static readonly string[] Placements = ["first_fit", "next_fit", "best_fit", "worst_fit"];
    private static readonly string[] Compactions = ["never", "auto"];
    private static readonly string[] PagingOnly =
        ["kernel_reserved", "transparent_hugepage", "tlb_entries", "tlb_ways", "tlb_l2_entries", "tlb_l2_ways", "pcid"];

    public static void Parse(YamlMap map, MachineSpec spec)
    {
        spec.MemoryBytes = DefaultMemoryBytes;
        foreach (string key in PagingOnly)
            if (map.Has(key))
                throw YamlScalars.Error(map.Source, map.At(key),
                    $"machine.{key} applies to the paging translations, not to translation: {spec.Translation}");
        bool contiguous = spec.Translation == "segmentation";
        if (map.String("placement") is { } placement)
        {
            if (!contiguous)
                throw map.Error("placement", "machine.placement applies to translation: segmentation (segmented_paging places pages in any free frame)");
            spec.Placement = placement switch
            {
                "first_fit" => FitPolicy.FirstFit,
                "next_fit" => FitPolicy.NextFit,
                "best_fit" => FitPolicy.BestFit,
                "worst_fit" => FitPolicy.WorstFit,
                _ => throw map.Error("placement", $"invalid machine.placement '{placement}'{Suggest.Expected(placement, Placements)}"),
            };
        }
        if (map.String("compaction") is { } compaction)
        {
            if (!contiguous)
                throw map.Error("compaction", "machine.compaction applies to translation: segmentation (paged memory has no external fragmentation)");
            if (!Compactions.Contains(compaction))
                throw map.Error("compaction", $"invalid machine.compaction '{compaction}'{Suggest.Expected(compaction, Compactions)}");
            spec.AutoCompaction = compaction == "auto";
        }
    }

    /// <summary>Under a paging translation, <c>placement</c> and <c>compaction</c> mean nothing.</summary>
    public static void RejectKeys(YamlMap map)
    {
        foreach (string key in new[] { "placement", "compaction" })
            if (map.Has(key))
                throw YamlScalars.Error(map.Source, map.At(key),
                    $"machine.{key} applies to translation: segmentation, not to {(map.String("translation") ?? "x86_64")}");
    }

    public static void CheckMemory(YamlMap map, long bytes)
    {
        if (bytes > MaxMemoryBytes)
            throw map.Error("memory",
                $"machine.memory under a segmented translation is at most {Units.FormatSize(MaxMemoryBytes)} (every byte is simulated), got {Units.FormatSize(bytes)}");
    }
}
