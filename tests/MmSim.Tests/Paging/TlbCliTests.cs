using MmSim.Cli;

namespace MmSim.Tests.Paging;

/// <summary>The TLB figures in the text report and in <c>--compare</c> of a TLB setting.</summary>
public class TlbCliTests
{
    private static (int Code, string Out) Run(params string[] args)
    {
        var o = new StringWriter();
        int code = Program.Run(args, o, new StringWriter());
        return (code, o.ToString());
    }

    [Fact]
    public void The_text_report_has_a_TLB_line_per_process()
    {
        var (code, o) = Run("run", "tlb-reach");
        Assert.Equal(0, code);
        Assert.Contains("pid 1000 fits-l1: TLB 6400 hits, 64 misses, hit ratio 0.9901; L2 0 hits, 64 misses; EAT 104.97 ns; internal fragmentation 0 bytes", o);
    }

    [Fact]
    public void Comparing_a_TLB_setting_shows_the_counts_and_EAT()
    {
        var (code, o) = Run("run", "tlb-reach", "--compare", "machine.pcid=false,true");
        Assert.Equal(0, code);
        Assert.Contains("fits-l1: EAT ns", o);
        Assert.Contains("fits-l1: TLB hits/misses", o);
        var (_, other) = Run("run", "tlb-reach", "--compare", "machine.cpus=1,2");
        Assert.DoesNotContain("EAT ns", other);
    }
}
