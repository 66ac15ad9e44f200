using MmSim.Machine;
using MmSim.Reports;

namespace MmSim.Tests.Mm;

/// <summary>Bad accesses kill only the process that made them, with SIGSEGV, as on Linux.</summary>
public class ProtectionTests
{
    private static RunReport Run(string steps) => Sim.Report($$"""
        machine: { memory: 512MiB }
        processes:
          - name: victim
            steps:
        {{steps}}
          - name: bystander
            steps:
              - alloc: { name: heap, size: 1MiB }
              - touch: { region: heap, write: true }
              - sleep: 1ms
        """);

    [Fact]
    public void User_access_to_kernel_space_is_a_segfault()
    {
        var r = Run("      - access: { address: 0xffff888000000000 }");
        var v = r.Proc("victim");
        Assert.Equal("killed", v.State);
        Assert.Equal("SIGSEGV", v.Signal);
        Assert.Equal("running", r.Proc("bystander").State);
        Assert.Equal(256, r.Proc("bystander").MinFlt);
        var e = Assert.Single(r.Events, e => e.Type == EventTypes.Segv);
        Assert.Equal("victim[1000]: segfault at ffff888000000000 ip 0000000000000000 sp 0000000000000000 error 4 (user-mode access to kernel space)", e.Message);
    }

    [Fact]
    public void Non_canonical_address_is_a_general_protection_fault()
    {
        var r = Run("      - access: { address: 0x0000900000000000, write: true }");
        Assert.Equal("SIGSEGV", r.Proc("victim").Signal);
        Assert.Contains(r.Events, e => e.Type == EventTypes.Segv && e.Message.StartsWith("traps: victim[1000] general protection fault"));
    }

    [Fact]
    public void Access_outside_every_mapping_is_SEGV_MAPERR()
    {
        var r = Run("      - access: { address: 0x1000, write: true }");
        Assert.Equal("SIGSEGV", r.Proc("victim").Signal);
        Assert.Contains("error 6", r.Events.Single(e => e.Type == EventTypes.Segv).Message);
        Assert.Contains("SEGV_MAPERR", r.Proc("victim").Reason);
    }

    [Fact]
    public void Write_to_a_read_only_mapping_is_SEGV_ACCERR()
    {
        var r = Run("""
                  - alloc: { name: ro, size: 64KiB, prot: r }
                  - touch: { region: ro }
                  - touch: { region: ro, write: true }
            """);
        var v = r.Proc("victim");
        Assert.Equal("SIGSEGV", v.Signal);
        Assert.Contains("SEGV_ACCERR", v.Reason);
        Assert.Equal(16, v.MinFlt); // the reads mapped the zero page; the write never completed
        Assert.Contains("error 7", r.Events.Single(e => e.Type == EventTypes.Segv).Message);
    }

    [Fact]
    public void Pgfault_does_not_count_a_fault_that_ends_in_SIGSEGV()
    {
        var r = Run("      - access: { address: 0xffff888000000000 }");
        Assert.Equal(256, r.Vmstat["pgfault"]); // the bystander's only
    }
}
