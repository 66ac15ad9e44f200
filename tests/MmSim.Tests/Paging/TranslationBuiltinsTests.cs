using MmSim.Reports;
using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Tests.Paging;

/// <summary>The address-translation lab's built-in scenarios, with exact figures.</summary>
public class TranslationBuiltinsTests
{
    private static RunReport Run(string name)
    {
        var m = new MmSim.Machine.SimMachine(BuiltinScenarios.Load(name));
        m.Run();
        m.CheckInvariants();
        return RunReport.Build(m);
    }

    [Fact]
    public void Paging_internal_fragmentation_shows_the_waste_of_each_last_page()
    {
        var r = Run("paging-internal-fragmentation");
        Assert.Equal(4095, r.Proc("tiny").InternalFragmentationBytes);
        Assert.Equal(2288, r.Proc("odd").InternalFragmentationBytes);
        Assert.Equal(4095, r.Proc("just-over").InternalFragmentationBytes);
        Assert.Equal(0, r.Proc("aligned").InternalFragmentationBytes);
        Assert.Equal(8 * 3996, r.Proc("many").InternalFragmentationBytes);
        Assert.Equal(4095 + 2288 + 4095 + 8 * 3996, r.InternalFragmentationBytes);
    }

    [Fact]
    public void Tlb_reach_fits_the_first_level_the_second_or_neither()
    {
        var r = Run("tlb-reach");
        var l1 = r.Proc("fits-l1");
        Assert.Equal((6400, 64, 0L, 64L), (l1.TlbHits, l1.TlbMisses, l1.TlbL2Hits!.Value, l1.TlbL2Misses!.Value));
        var l2 = r.Proc("fits-l2");
        Assert.Equal((0, 6912, 6400L, 512L), (l2.TlbHits, l2.TlbMisses, l2.TlbL2Hits!.Value, l2.TlbL2Misses!.Value));
        var none = r.Proc("thrashes");
        Assert.Equal((0, 16384, 0L, 16384L), (none.TlbHits, none.TlbMisses, none.TlbL2Hits!.Value, none.TlbL2Misses!.Value));
        // 6400 × 101 + 64 × (2 + 500) over 6464; 6400 × 102 + 512 × 502 over 6912; every lookup 502
        Assert.Equal(Math.Round((6400 * 101.0 + 64 * 502.0) / 6464, 3), l1.EatNs);
        Assert.Equal(Math.Round((6400 * 102.0 + 512 * 502.0) / 6912, 3), l2.EatNs);
        Assert.Equal(502, none.EatNs);
    }

    [Fact]
    public void User_kernel_protection_kills_only_the_offenders()
    {
        var r = Run("user-kernel-protection");
        Assert.Equal("exited", r.Proc("bystander").State);
        Assert.Equal("user-mode access to kernel space", r.Proc("intruder").Reason);
        Assert.Equal("write not allowed by the mapping (SEGV_ACCERR)", r.Proc("scribbler").Reason);
        Assert.Equal("exec not allowed by the mapping (SEGV_ACCERR)", r.Proc("jumper").Reason);
        foreach (var n in new[] { "intruder", "scribbler", "jumper" })
            Assert.Equal(("killed", "SIGSEGV"), (r.Proc(n).State, r.Proc(n).Signal));
    }

    [Theory]
    [InlineData("paging-internal-fragmentation")]
    [InlineData("tlb-reach")]
    [InlineData("user-kernel-protection")]
    public void The_twin_can_run_them(string name)
    {
        // TLB geometry, PCID and latency.tlb describe the model; the twin ignores them (docs/twin.md).
        Assert.NotNull(TwinPlan.Build(BuiltinScenarios.Load(name)));
    }
}
