using MmSim.Mm;

namespace MmSim.Tests.Mm;

/// <summary>find_vma with its one-entry cache of the last VMA found: the cache never answers for a VMA that is
/// gone or for an address outside the VMA's bounds as they are now.</summary>
public class FindVmaTests
{
    private static Vma Vma(ulong start, ulong end, string name) => new() { Start = start, End = end, Name = name };

    [Fact]
    public void Finds_the_containing_vma_and_forgets_one_taken_off_the_list()
    {
        var mm = new MmStruct(1, 64);
        var a = Vma(0x10000, 0x20000, "a");
        var b = Vma(0x30000, 0x40000, "b");
        mm.InsertVma(b);
        mm.InsertVma(a);
        Assert.Same(a, mm.FindVma(0x10000));
        Assert.Same(a, mm.FindVma(0x1ffff)); // from the cache
        Assert.Null(mm.FindVma(0x20000));    // the end is exclusive, and the gap has no VMA
        Assert.Same(b, mm.FindVma(0x3f000));
        Assert.Same(a, mm.FindVma(0x18000));

        mm.RemoveVmaAt(0); // munmap of a, the cached one
        Assert.Null(mm.FindVma(0x18000));
        Assert.Same(b, mm.FindVma(0x30000));
    }

    [Fact]
    public void A_cached_vma_that_shrinks_no_longer_answers_for_what_it_lost()
    {
        var mm = new MmStruct(1, 64);
        var a = Vma(0x10000, 0x20000, "a");
        mm.InsertVma(a);
        Assert.Same(a, mm.FindVma(0x1f000));
        a.End = 0x18000;
        Assert.Null(mm.FindVma(0x1f000));
        Assert.Same(a, mm.FindVma(0x17000));
    }
}
