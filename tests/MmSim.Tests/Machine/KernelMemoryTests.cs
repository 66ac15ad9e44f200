using MmSim.Reports;
using MmSim.Twin;
using MmSim.Workloads;
using Xunit;

namespace MmSim.Tests.Machine;

/// <summary>machine.kernel_memory: the kernel's own memory at the start (slab, vmalloc, per-CPU, the rest).</summary>
public class KernelMemoryTests
{
    private const string Base = "machine: { memory: 256MiB }\nprocesses: [ { name: p, steps: [ { alloc: { name: a, size: 4MiB } } ] } ]\n";

    private const string WithKernelMemory =
        "machine:\n  memory: 256MiB\n  kernel_memory: { slab_reclaimable: 8892KiB, slab_unreclaimable: 6476KiB, vmalloc: 7628KiB, percpu: 260KiB, other: 7740KiB }\n" +
        "processes: [ { name: p, steps: [ { alloc: { name: a, size: 4MiB } } ] } ]\n";

    [Fact]
    public void The_kernels_memory_leaves_the_free_pages_and_shows_in_meminfo()
    {
        var plain = Sim.Report(Base).Meminfo;
        var r = Sim.Report(WithKernelMemory).Meminfo; // the invariants check that every such page has one owner
        Assert.Equal(plain["MemTotal"], r["MemTotal"]);
        // 8892 + 6476 + 7628 + 260 + 7740 kB = 30996 kB, all whole pages: MemFree falls by exactly that.
        Assert.Equal(plain["MemFree"] - 30996, r["MemFree"]);
        Assert.Equal(8892, r["SReclaimable"]);
        Assert.Equal(6476, r["SUnreclaim"]);
        Assert.Equal(15368, r["Slab"]);
        Assert.Equal(8892, r["KReclaimable"]);
        Assert.Equal(7628, r["VmallocUsed"]);
        Assert.Equal(260, r["Percpu"]);
        Assert.Equal(0, plain["Slab"]);
    }

    [Fact]
    public void MemAvailable_counts_half_of_reclaimable_slab_above_the_low_watermark()
    {
        var m = Sim.Run(WithKernelMemory);
        var k = m.Kernel;
        long wmarkLow = k.Phys.Zones.Sum(z => z.WatermarkLow);
        long reclaimable = 8892 / 4; // pages
        // si_mem_available: free - totalreserve + pagecache part + reclaimable - min(reclaimable / 2, wmark_low)
        long expected = k.Phys.NrFreePages - k.Phys.TotalReservePages + reclaimable - Math.Min(reclaimable / 2, wmarkLow);
        Assert.Equal(expected, Meminfo.MemAvailablePages(k));
    }

    [Fact]
    public void Boot_allocations_are_not_counted_in_pgalloc()
    {
        var plain = Sim.Report(Base).Vmstat;
        var r = Sim.Report(WithKernelMemory).Vmstat;
        Assert.Equal(plain["pgalloc_dma32"], r["pgalloc_dma32"]);
    }

    [Fact]
    public void More_kernel_memory_than_fits_is_bad_input_naming_the_line()
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadText(
            "machine:\n  memory: 64MiB\n  kernel_memory: { other: 64MiB }\nprocesses: []\n", "k.yaml"));
        Assert.Contains("kernel_memory", ex.Message);
        Assert.Equal(3, ex.Line);
        var boot = Assert.Throws<InputException>(() => new MmSim.Machine.SimMachine(ScenarioLoader.LoadText(
            "machine:\n  memory: 64MiB\n  kernel_memory: { other: 60MiB }\nprocesses: [ { name: p, steps: [ { sleep: 1ms } ] } ]\n", "k.yaml")));
        Assert.Equal(3, boot.Line);
        Assert.Contains("does not fit", boot.Message);
        Assert.Throws<InputException>(() => ScenarioLoader.LoadText(
            "machine:\n  memory: 64MiB\n  kernel_memory: { slab: 1MiB }\nprocesses: []\n", "k.yaml"));
    }

    [Fact]
    public void The_twin_comparison_gives_the_model_the_vms_memory_at_the_start()
    {
        // /proc/meminfo of Debian's 6.1 kernel in a 256 MiB VM just before swap-before-oom started.
        var start = new Dictionary<string, long>
        {
            ["MemTotal"] = 208708, ["MemFree"] = 177712, ["SReclaimable"] = 8892, ["SUnreclaim"] = 6476,
            ["VmallocUsed"] = 7628, ["Percpu"] = 260,
        };
        var s = TwinCompare.MatchKernelMemory(ScenarioLoader.LoadText(Base, "t.yaml"), start);
        var km = s.Machine.KernelMemory;
        Assert.Equal(8892 * 1024, km.SlabReclaimableBytes);
        Assert.Equal(6476 * 1024, km.SlabUnreclaimableBytes);
        Assert.Equal(7628 * 1024, km.VmallocBytes);
        Assert.Equal(260 * 1024, km.PercpuBytes);
        Assert.Equal((208708 - 177712 - 8892 - 6476 - 7628 - 260) * 1024L, km.OtherBytes);
    }
}
