using System.Numerics;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Reads <c>vm:</c> into a <see cref="VmSpec"/>; the ranges are the kernel's (kernel/sysctl.c, mm/*.c).</summary>
internal static class VmParser
{
    public static readonly string[] Keys =
        ["min_free_kbytes", "watermark_scale_factor", "lowmem_reserve_ratio", "swappiness", "overcommit_memory",
         "overcommit_ratio", "overcommit_kbytes", "dirty_ratio", "dirty_background_ratio", "panic_on_oom",
         "oom_kill_allocating_task", "oom_dump_tasks", "dirty_expire_centisecs", "dirty_writeback_centisecs",
         "page_cluster", "fault_around_bytes", "read_ahead_kb"];

    /// <summary>MAX_NR_ZONES on x86-64 with ZONE_DEVICE: DMA, DMA32, Normal, Movable, Device.</summary>
    private const int MaxZones = 5;

    public static VmSpec Parse(string source, YamlNode? node, MachineSpec machine)
    {
        var vm = new VmSpec();
        if (node is null) return vm;
        var map = YamlMap.Of(source, node, "vm", Keys, allowNull: true);
        vm.Line = map.Line;

        if (map.Get("min_free_kbytes") is { } minFree && YamlScalars.Text(source, minFree, "vm.min_free_kbytes") != "auto")
        {
            long memoryKb = machine.MemoryBytes / 1024;
            vm.MinFreeKbytes = YamlScalars.Integer(source, minFree, "vm.min_free_kbytes", 0, long.MaxValue);
            if (vm.MinFreeKbytes >= memoryKb)
                throw map.Error("min_free_kbytes",
                    $"vm.min_free_kbytes must be 'auto' or less than machine.memory ({memoryKb} kB), got {vm.MinFreeKbytes}");
        }
        vm.WatermarkScaleFactor = map.Int("watermark_scale_factor", 1, 3000) ?? vm.WatermarkScaleFactor;
        if (map.Get("lowmem_reserve_ratio") is { } ratios) vm.LowmemReserveRatio = ParseRatios(source, ratios);
        vm.Swappiness = map.Int("swappiness", 0, 200) ?? vm.Swappiness;
        vm.OvercommitMemory = map.Int("overcommit_memory", 0, 2) ?? vm.OvercommitMemory;
        vm.OvercommitRatio = map.Int("overcommit_ratio", 0, int.MaxValue) ?? vm.OvercommitRatio;
        vm.OvercommitKbytes = map.Integer("overcommit_kbytes", 0, long.MaxValue / 1024) ?? vm.OvercommitKbytes;
        vm.DirtyRatio = map.Int("dirty_ratio", 0, 100) ?? vm.DirtyRatio;
        vm.DirtyBackgroundRatio = map.Int("dirty_background_ratio", 0, 100) ?? vm.DirtyBackgroundRatio;
        vm.PanicOnOom = map.Int("panic_on_oom", 0, 2) ?? vm.PanicOnOom;
        vm.OomKillAllocatingTask = map.Int("oom_kill_allocating_task", 0, 1) ?? vm.OomKillAllocatingTask;
        vm.OomDumpTasks = map.Int("oom_dump_tasks", 0, 1) ?? vm.OomDumpTasks;
        vm.DirtyExpireCentisecs = map.Int("dirty_expire_centisecs", 0, int.MaxValue) ?? vm.DirtyExpireCentisecs;
        vm.DirtyWritebackCentisecs = map.Int("dirty_writeback_centisecs", 0, int.MaxValue) ?? vm.DirtyWritebackCentisecs;
        vm.PageCluster = map.Int("page_cluster", 0, 31) ?? vm.PageCluster;
        if (map.Size("fault_around_bytes") is { } around)
        {
            long max = 512L * machine.PageSize; // PTRS_PER_PTE pages: one page table
            if (around < machine.PageSize || around > max || !BitOperations.IsPow2(around))
                throw map.Error("fault_around_bytes",
                    $"vm.fault_around_bytes must be a power of two between the page size ({machine.PageSize}) and {max}, got {around}");
            vm.FaultAroundBytes = around;
        }
        vm.ReadAheadKb = map.Int("read_ahead_kb", 0, 1 << 20) ?? vm.ReadAheadKb;
        return vm;
    }

    private static int[] ParseRatios(string source, YamlNode node)
    {
        if (node is not YamlSequenceNode list || list.Children.Count is 0 or > MaxZones)
            throw YamlScalars.Error(source, node,
                $"vm.lowmem_reserve_ratio must be a list of 1 to {MaxZones} numbers (one per zone), e.g. [256, 256, 32, 0]");
        return list.Children
            .Select(n => (int)YamlScalars.Integer(source, n, "vm.lowmem_reserve_ratio", 0, int.MaxValue))
            .ToArray();
    }
}
