using System.Numerics;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Reads <c>machine:</c> (and its <c>latency:</c>) into a <see cref="MachineSpec"/>.</summary>
internal static class MachineParser
{
    public static readonly string[] Keys =
        ["memory", "page_size", "swap", "kernel_reserved", "cpus", "kswapd_cpu", "transparent_hugepage", "time_slice",
         "tlb_entries", "tlb_ways", "tlb_l2_entries", "tlb_l2_ways", "pcid", "latency", "translation",
         "kernel_memory", "caches", "placement", "compaction"];

    public static readonly string[] KernelMemoryKeys =
        ["slab_reclaimable", "slab_unreclaimable", "vmalloc", "percpu", "other"];

    public static readonly string[] KswapdCpuModes = ["shared", "own"];

    public static readonly string[] LatencyKeys =
        ["access", "tlb", "tlb_miss_per_level", "minor_fault", "major_fault", "disk_read", "disk_write", "swap_read",
         "swap_write", "syscall", "reclaim_scan", "reclaim_free", "swap_submit"];

    private static readonly string[] ThpModes = ["always", "madvise", "never"];
    private static readonly string[] Translations = ["x86_64", "x86_64_la57", "segmentation", "segmented_paging"];

    public static MachineSpec Parse(string source, YamlNode? node)
    {
        var spec = new MachineSpec();
        if (node is null) return spec;
        var map = YamlMap.Of(source, node, "machine", Keys, allowNull: true);
        spec.Line = map.Line;

        if (map.Size("page_size") is { } pageSize)
        {
            if (pageSize < 4 * Units.KiB || pageSize > 64 * Units.KiB || !BitOperations.IsPow2(pageSize))
                throw map.Error("page_size",
                    $"machine.page_size must be a power of two between 4KiB and 64KiB, got {Units.FormatSize(pageSize)}");
            spec.PageSize = (int)pageSize;
        }
        if (map.String("translation") is { } translation)
        {
            if (!Translations.Contains(translation))
                throw map.Error("translation",
                    $"invalid machine.translation '{translation}'{Suggest.Expected(translation, Translations)}");
            if (translation == "x86_64_la57" && spec.PageSize != 4096)
                throw map.Error("translation", $"machine.translation x86_64_la57 needs 4KiB pages, got page_size {Units.FormatSize(spec.PageSize)}");
            spec.Translation = translation;
        }
        bool contiguous = spec.Translation == "segmentation";
        if (spec.IsSegmented) SegmentMachineParser.Parse(map, spec);
        else SegmentMachineParser.RejectKeys(map);
        if (map.Get("memory") is { } memoryNode)
        {
            string text = YamlScalars.Text(source, memoryNode, "machine.memory");
            if (text.TrimStart().StartsWith('-'))
                throw map.Error("memory", $"machine.memory must be positive, got {text}");
            spec.MemoryBytes = map.Size("memory")!.Value;
            if (spec.MemoryBytes <= 0) throw map.Error("memory", $"machine.memory must be positive, got {text}");
            if (!contiguous) RequirePageMultiple(map, "memory", spec.MemoryBytes, spec.PageSize);
            if (spec.IsSegmented) SegmentMachineParser.CheckMemory(map, spec.MemoryBytes);
        }
        if (map.Size("swap") is { } swap)
        {
            if (!contiguous) RequirePageMultiple(map, "swap", swap, spec.PageSize);
            spec.SwapBytes = swap;
        }
        if (map.Get("kernel_reserved") is { } reservedNode
            && YamlScalars.Text(source, reservedNode, "machine.kernel_reserved") != "auto")
        {
            long reserved = map.Size("kernel_reserved")!.Value;
            RequirePageMultiple(map, "kernel_reserved", reserved, spec.PageSize);
            if (reserved >= spec.MemoryBytes)
                throw map.Error("kernel_reserved",
                    $"machine.kernel_reserved ({Units.FormatSize(reserved)}) must be less than machine.memory ({Units.FormatSize(spec.MemoryBytes)})");
            spec.KernelReservedBytes = reserved;
        }
        spec.Cpus = map.Int("cpus", 1, 1024) ?? spec.Cpus;
        if (map.String("kswapd_cpu") is { } kc)
        {
            if (!KswapdCpuModes.Contains(kc))
                throw map.Error("kswapd_cpu", $"invalid machine.kswapd_cpu '{kc}'{Suggest.Expected(kc, KswapdCpuModes)}");
            spec.KswapdCpu = kc;
        }
        if (map.String("transparent_hugepage") is { } thp)
        {
            if (!ThpModes.Contains(thp))
                throw map.Error("transparent_hugepage",
                    $"invalid machine.transparent_hugepage '{thp}'{Suggest.Expected(thp, ThpModes)}");
            spec.TransparentHugepage = thp;
        }
        if (map.Time("time_slice") is { } slice)
        {
            if (slice <= 0) throw map.Error("time_slice", "machine.time_slice must be positive");
            spec.TimeSliceNs = slice;
        }
        spec.TlbEntries = map.Int("tlb_entries", 1, 1 << 20) ?? spec.TlbEntries;
        if (!BitOperations.IsPow2(spec.TlbEntries))
            throw map.Error("tlb_entries", $"machine.tlb_entries must be a power of two, got {spec.TlbEntries}");
        spec.TlbWays = map.Int("tlb_ways", 1, 1 << 20) ?? spec.TlbWays;
        if (!BitOperations.IsPow2(spec.TlbWays) || spec.TlbWays > spec.TlbEntries)
            throw map.Error("tlb_ways",
                $"machine.tlb_ways must be a power of two no larger than machine.tlb_entries ({spec.TlbEntries}), got {spec.TlbWays}");
        spec.TlbL2Entries = map.Int("tlb_l2_entries", 0, 1 << 20) ?? spec.TlbL2Entries;
        if (spec.TlbL2Entries != 0 && !BitOperations.IsPow2(spec.TlbL2Entries))
            throw map.Error("tlb_l2_entries", $"machine.tlb_l2_entries must be a power of two (or 0, no second level), got {spec.TlbL2Entries}");
        if (map.Has("tlb_l2_ways"))
        {
            if (spec.TlbL2Entries == 0)
                throw map.Error("tlb_l2_ways", "machine.tlb_l2_ways needs machine.tlb_l2_entries (a second-level TLB)");
            spec.TlbL2Ways = map.Int("tlb_l2_ways", 1, 1 << 20)!.Value;
            if (!BitOperations.IsPow2(spec.TlbL2Ways) || spec.TlbL2Ways > spec.TlbL2Entries)
                throw map.Error("tlb_l2_ways",
                    $"machine.tlb_l2_ways must be a power of two no larger than machine.tlb_l2_entries ({spec.TlbL2Entries}), got {spec.TlbL2Ways}");
        }
        spec.Pcid = map.Bool("pcid") ?? spec.Pcid;
        if (map.Get("latency") is { } latency) spec.Latency = ParseLatency(source, latency);
        if (map.Get("kernel_memory") is { } km) spec.KernelMemory = ParseKernelMemory(source, km, spec);
        if (map.Get("caches") is { } caches) spec.Caches = CachesParser.Parse(source, caches);
        return spec;
    }

    private static LatencySpec ParseLatency(string source, YamlNode node)
    {
        var map = YamlMap.Of(source, node, "machine.latency", LatencyKeys, allowNull: true);
        var spec = new LatencySpec { Line = map.Line };
        if (map.Has("major_fault") && map.Has("disk_read"))
            throw YamlScalars.Error(source, map.At("disk_read"),
                "machine.latency.disk_read is another name for major_fault; give only one of them");
        spec.AccessNs = map.Time("access") ?? spec.AccessNs;
        spec.TlbNs = map.Time("tlb") ?? spec.TlbNs;
        spec.TlbMissPerLevelNs = map.Time("tlb_miss_per_level") ?? spec.TlbMissPerLevelNs;
        spec.MinorFaultNs = map.Time("minor_fault") ?? spec.MinorFaultNs;
        spec.MajorFaultNs = map.Time("major_fault") ?? map.Time("disk_read") ?? spec.MajorFaultNs;
        spec.DiskWriteNs = map.Time("disk_write") ?? spec.DiskWriteNs;
        spec.SwapReadNs = map.Time("swap_read") ?? spec.SwapReadNs;
        spec.SwapWriteNs = map.Time("swap_write") ?? spec.SwapWriteNs;
        spec.SyscallNs = map.Time("syscall") ?? spec.SyscallNs;
        spec.ReclaimScanNs = map.Time("reclaim_scan") ?? spec.ReclaimScanNs;
        spec.ReclaimFreeNs = map.Time("reclaim_free") ?? spec.ReclaimFreeNs;
        spec.SwapSubmitNs = map.Time("swap_submit") ?? spec.SwapSubmitNs;
        return spec;
    }

    private static KernelMemorySpec ParseKernelMemory(string source, YamlNode node, MachineSpec machine)
    {
        var map = YamlMap.Of(source, node, "machine.kernel_memory", KernelMemoryKeys, allowNull: true);
        var spec = new KernelMemorySpec { Line = map.Line };
        long Get(string key)
        {
            long? v = map.Size(key);
            if (v is < 0) throw map.Error(key, $"machine.kernel_memory.{key} must be 0 or more, got {Units.FormatSize(v.Value)}");
            return v ?? 0;
        }
        spec.SlabReclaimableBytes = Get("slab_reclaimable");
        spec.SlabUnreclaimableBytes = Get("slab_unreclaimable");
        spec.VmallocBytes = Get("vmalloc");
        spec.PercpuBytes = Get("percpu");
        spec.OtherBytes = Get("other");
        // Only a bound that cannot be right whatever the zones: the kernel's reserve is checked at boot.
        if (spec.TotalBytes >= machine.MemoryBytes)
            throw YamlScalars.Error(source, node,
                $"machine.kernel_memory adds up to {Units.FormatSize(spec.TotalBytes)}, more than machine.memory ({Units.FormatSize(machine.MemoryBytes)})");
        return spec;
    }

    private static void RequirePageMultiple(YamlMap map, string key, long bytes, int pageSize)
    {
        if (bytes % pageSize != 0)
            throw map.Error(key,
                $"machine.{key} must be a multiple of the page size ({Units.FormatSize(pageSize)}), got {Units.FormatSize(bytes)}");
    }
}
