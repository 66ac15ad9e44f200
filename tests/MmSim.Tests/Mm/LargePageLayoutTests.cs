using MmSim.Machine;

namespace MmSim.Tests.Mm;

/// <summary>
/// With 16 and 64 KiB pages, mmap_base and the stack's top are page-aligned, as the kernel's PAGE_ALIGN makes them:
/// TASK_SIZE_MAX is 2^47 − 4 KiB, which a larger page does not divide. Unaligned, two neighbouring mappings shared a
/// page, and a fork counted that page twice in the child's RSS (found by <see cref="Machine.RandomScenarioTests"/>).
/// </summary>
public class LargePageLayoutTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    public void Mappings_and_the_stack_start_and_end_on_page_boundaries(int pageKiB)
    {
        var m = Sim.Run($$"""
            machine: { memory: 128MiB, page_size: {{pageKiB}}KiB }
            processes:
              - name: p
                stack: 1MiB
                steps:
                  - alloc: { name: a, size: 3MiB }
                  - alloc: { name: b, size: 2MiB }
                  - touch: { region: a, write: true }
                  - touch: { region: b, write: true }
                  - fork:
                      steps:
                        - touch: { region: b, write: true }
            """, new MachineOptions { CheckContents = true });
        ulong page = (ulong)pageKiB * 1024;
        var mm = m.Tasks[0].Mm;
        Assert.Equal(3, mm.Vmas.Count);
        Assert.All(mm.Vmas, v => Assert.Equal((0UL, 0UL), (v.Start % page, v.End % page)));
        Assert.Equal(mm.FindByName("a")!.Start, mm.FindByName("b")!.End); // right below each other, no shared page
        long pages = (3L << 20) / (long)page + (2L << 20) / (long)page;
        Assert.Equal(pages, mm.RssAnon);
        Assert.Equal(pages, m.Tasks[1].Mm.RssAnon); // the child: b copied, a still shared
    }
}
