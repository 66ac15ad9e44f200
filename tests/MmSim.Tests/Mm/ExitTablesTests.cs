using MmSim.Reports;

namespace MmSim.Tests.Mm;

/// <summary>exit_mmap frees every page table of the address space (free_pgtables with USER_PGTABLES_CEILING, no
/// ceiling), the 5-level layout's P4D table included: its one entry spans 2^48 bytes, more than the 47-bit user
/// window the model's exit used as its ceiling, so each exiting process left one table behind.</summary>
public class ExitTablesTests
{
    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_64_la57")]
    public void An_exited_process_leaves_no_page_table_behind(string translation)
    {
        var r = Sim.Report($$"""
            machine: { memory: 256MiB, translation: {{translation}} }
            processes:
              - name: gone
                steps:
                  - alloc: { name: a, size: 8MiB }
                  - touch: { region: a, write: true }
                  - exit
            """);
        Assert.Equal("exited", r.Proc("gone").State);
        Assert.Equal(0, r.Meminfo["PageTables"]); // the checks of Sim.Report also found every table free or reachable
    }
}
