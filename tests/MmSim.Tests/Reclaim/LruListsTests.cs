using CsCheck;
using MmSim.Machine;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Tests.Physical;

namespace MmSim.Tests.Reclaim;

/// <summary>
/// The LRU lists are arrays in list order with holes (<see cref="LruLists"/>): whatever the sequence of adds at the
/// head, adds at the tail, removals and moves, each list must read exactly as the kernel's doubly linked list would,
/// from the tail and from the head, through every compaction and growth of the arrays.
/// </summary>
public class LruListsTests
{
    private const int Pages = 3000; // enough to make the arrays (1024 slots at first) compact and grow

    [Fact]
    public void Every_list_reads_as_a_linked_list_would_through_compactions()
    {
        // op: 0..3 add at the head of list op, 4..7 add at the tail of list op-4, 8 remove, 9 move to list (page % 4)
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, Pages - 1]).Array[1, 6000].Sample(ops =>
        {
            var (lists, pfns) = NewLists();
            var model = new List<int>[5];
            for (int l = 0; l < 5; l++) model[l] = [];
            var on = new int[Pages];
            Array.Fill(on, -1);
            foreach (var (op, i) in ops)
            {
                int pfn = pfns[i];
                if (op < 8)
                {
                    int l = op & 3;
                    if (on[i] >= 0) { model[on[i]].Remove(pfn); lists.Remove(pfn); }
                    if (op < 4) { model[l].Add(pfn); AddHead(lists, pfn, (LruList)l); } // model: tail first
                    else { model[l].Insert(0, pfn); lists.AddTail(pfn, (LruList)l); }
                    on[i] = l;
                }
                else if (op == 8)
                {
                    if (on[i] >= 0) model[on[i]].Remove(pfn);
                    lists.Remove(pfn);
                    on[i] = -1;
                }
                else if (on[i] >= 0)
                {
                    int to = i % 4;
                    model[on[i]].Remove(pfn);
                    model[to].Add(pfn);
                    lists.Move(pfn, (LruList)to);
                    on[i] = to;
                }
            }
            lists.CheckInvariants();
            for (int l = 0; l < 5; l++)
            {
                Assert.Equal(model[l].Count, lists.Size((LruList)l));
                Assert.Equal(model[l], FromTail(lists, (LruList)l));
                var fromHead = FromHead(lists, (LruList)l);
                fromHead.Reverse();
                Assert.Equal(model[l], fromHead);
                var span = new List<int>();
                foreach (int p in lists.FromTail((LruList)l)) if (p >= 0) span.Add(p);
                Assert.Equal(model[l], span);
            }
        }, iter: 60);
    }

    [Fact]
    public void Removing_the_scanned_slots_takes_the_same_pages_as_removing_them_by_frame()
    {
        var (lists, pfns) = NewLists();
        for (int i = 0; i < 2000; i++) AddHead(lists, pfns[i], LruList.InactiveAnon);
        for (int i = 0; i < 2000; i += 3) lists.Remove(pfns[i]); // holes
        int tail = lists.TailSlot(LruList.InactiveAnon);
        var slots = lists.FromTail(LruList.InactiveAnon);
        var taken = new List<int>();
        var at = new List<int>();
        for (int i = 0; i < slots.Length && taken.Count < 32; i++)
            if (slots[i] >= 0) { taken.Add(slots[i]); at.Add(tail + i); }
        foreach (int s in at) lists.RemoveSlot(LruList.InactiveAnon, s);
        lists.CheckInvariants();
        // The 32 oldest survivors of the holes: pages 1, 2, 4, 5, 7, 8, ...
        Assert.Equal(Enumerable.Range(0, 48).Where(i => i % 3 != 0).Select(i => pfns[i]), taken);
        Assert.Equal(2000 - 667 - 32, lists.Size(LruList.InactiveAnon));
        Assert.Equal(pfns[49], lists.Tail(LruList.InactiveAnon));
        Assert.Equal(pfns[1999], lists.Head(LruList.InactiveAnon));
        Assert.Equal(pfns[50], lists.Newer(pfns[49]));
        Assert.Equal(pfns[49], lists.Older(pfns[50]));
        Assert.Equal(-1, lists.Older(pfns[49]));
        Assert.Equal(-1, lists.Newer(pfns[1999]));
    }

    private static (LruLists Lists, int[] Pfns) NewLists()
    {
        var phys = BootMemoryTests.Machine(64);
        var lists = new LruLists(phys, new VmEventCounters());
        var pfns = new int[Pages];
        for (int i = 0; i < Pages; i++) pfns[i] = phys.AllocPage(ZoneType.Normal, AllocFlags.WmarkMin);
        Assert.DoesNotContain(-1, pfns);
        return (lists, pfns);
    }

    /// <summary>Adds at the head of a chosen list: the flags pick the list as lru_add does.</summary>
    private static void AddHead(LruLists lists, int pfn, LruList l)
    {
        lists.AddTail(pfn, l); // puts it on l (at the tail) and sets the list bits
        lists.Move(pfn, l);    // then to the head of the same list
    }

    private static List<int> FromTail(LruLists lists, LruList l)
    {
        var r = new List<int>();
        for (int p = lists.Tail(l); p >= 0; p = lists.Newer(p)) r.Add(p);
        return r;
    }

    private static List<int> FromHead(LruLists lists, LruList l)
    {
        var r = new List<int>();
        for (int p = lists.Head(l); p >= 0; p = lists.Older(p)) r.Add(p);
        return r;
    }
}
