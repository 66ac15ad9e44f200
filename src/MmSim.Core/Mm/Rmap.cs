using MmSim.Machine;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Swap;

namespace MmSim.Mm;

/// <summary>
/// The reverse map (mm/rmap.c): from a frame to the page-table entries that map it. An anonymous page is found
/// through its anon_vma family (the address spaces that may share it after fork) at its virtual page number; a
/// file page through the file's mappings (i_mmap) at its index. Reclaim uses it to sample and clear the accessed
/// bits (<c>folio_referenced</c>) and to unmap (<c>try_to_unmap</c>).
/// </summary>
public sealed class Rmap
{
    private readonly Kernel _k;
    private readonly PageTableOps _pt;

    public readonly record struct Mapping(MmStruct Mm, Vma Vma, int Slot, ulong Address);

    public Rmap(Kernel kernel, PageTableOps pageTables)
    {
        _k = kernel;
        _pt = pageTables;
    }

    /// <summary>What rmap_walk calls for each PTE mapping the page (rmap_walk_control.rmap_one).</summary>
    private interface IRmapOne
    {
        void Visit(MmStruct mm, Vma vma, ref ulong pte, int slot, ulong address);
    }

    /// <summary>
    /// rmap_walk: calls <paramref name="one"/> for every PTE that maps <paramref name="pfn"/>. Generic over a
    /// struct visitor so the JIT specialises each caller's loop: no list, no delegate, no allocation per page.
    /// </summary>
    private void RmapWalk<T>(int pfn, ref T one) where T : struct, IRmapOne
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.File) != 0)
        {
            // rmap_walk_file: the file's i_mmap, each VMA covering the page's index.
            var file = _k.Files[f.Owner];
            long index = f.Index;
            foreach (var (mm, vma) in file.Mappings)
            {
                long pages = vma.PageCount(_k.PageShift);
                if (index < vma.PgOff || index >= vma.PgOff + pages) continue;
                Probe(mm, vma, vma.Start + ((ulong)(index - vma.PgOff) << _k.PageShift), pfn, ref one);
            }
        }
        else if ((f.Flags & (uint)FrameFlags.Anon) != 0 && f.Owner >= 0)
        {
            // rmap_walk_anon: every address space of the anon_vma family, at the page's own address.
            ulong address = (ulong)SwapSlotBits.Vpn(f) << _k.PageShift;
            var family = _k.AnonVmas[f.Owner];
            for (int i = 0; i < family.Count; i++)
            {
                var mm = family[i];
                var vma = mm.FindVma(address);
                if (vma is null || !vma.IsAnonymous && (vma.Flags & VmFlags.Shared) != 0) continue;
                Probe(mm, vma, address, pfn, ref one);
            }
        }
    }

    /// <summary>page_vma_mapped_walk: is the PTE at this address present and mapping this very frame?</summary>
    private void Probe<T>(MmStruct mm, Vma vma, ulong address, int pfn, ref T one) where T : struct, IRmapOne
    {
        int table = _pt.Walk(mm, address, out int slot);
        if (table < 0) return;
        ref ulong entry = ref _k.Tables.Entry(table, slot);
        ulong pte = entry;
        if ((pte & Pte.Present) == 0 || (pte & Pte.Special) != 0 || Pte.Pfn(pte) != pfn) return;
        one.Visit(mm, vma, ref entry, slot, address);
    }

    /// <summary>
    /// Asks the CPU for the cache line of the PTE mapping an anonymous page (where the fault handler last mapped
    /// it, <see cref="Frame.PteHint"/>), without reading it. Reclaim does this for a whole isolated batch before checking the pages one
    /// by one, so the batch's page-table misses are in flight together rather than one after another.
    /// No effect on the simulation.
    /// </summary>
    public void PrefetchPte(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Anon) == 0 || f.Owner < 0) return;
        // Where the fault handler mapped it: a hint only (a wrong one just prefetches a useless line).
        _k.Tables.PrefetchFlat(f.PteHint);
    }

    /// <summary>Collects the mappings (for tests and inspection; reclaim uses the visitors below).</summary>
    public List<Mapping> Walk(int pfn)
    {
        var c = new Collect { Found = new List<Mapping>() };
        RmapWalk(pfn, ref c);
        return c.Found;
    }

    private struct Collect : IRmapOne
    {
        public List<Mapping> Found;
        public void Visit(MmStruct mm, Vma vma, ref ulong pte, int slot, ulong address) =>
            Found.Add(new Mapping(mm, vma, slot, address));
    }

    /// <summary>
    /// folio_referenced: how many PTEs mapping the page have the accessed bit, clearing it (x86's
    /// ptep_clear_flush_young does not flush the TLB, so a page hot in the TLB can look idle). Also tells whether
    /// a mapping is VM_LOCKED or VM_EXEC.
    /// </summary>
    public int Referenced(int pfn, out VmFlags vmFlags)
    {
        var r = new FolioReferencedOne();
        RmapWalk(pfn, ref r);
        vmFlags = r.VmFlags;
        return r.Young;
    }

    private struct FolioReferencedOne : IRmapOne
    {
        public int Young;
        public VmFlags VmFlags;

        public void Visit(MmStruct mm, Vma vma, ref ulong pte, int slot, ulong address)
        {
            VmFlags |= vma.Flags;
            if ((pte & Pte.Accessed) != 0)
            {
                pte &= ~Pte.Accessed;
                Young++;
            }
        }
    }

    /// <summary>
    /// try_to_unmap: removes every mapping of the page. An anonymous page must be in the swap cache: each of its
    /// PTEs becomes a swap entry (MM_ANONPAGES − 1, MM_SWAPENTS + 1, swap_duplicate). A dirty bit found in a PTE
    /// moves to the page (folio_mark_dirty). Returns the number of mappings removed.
    /// </summary>
    public int TryToUnmap(int pfn)
    {
        var u = new TryToUnmapOne { K = _k, Pfn = pfn };
        ref var f = ref _k.Frames[pfn];
        u.Anon = (f.Flags & (uint)FrameFlags.Anon) != 0;
        u.Slot = u.Anon ? SwapSlotBits.Slot(f) : -1;
        RmapWalk(pfn, ref u);
        if (u.Removed > 0 && f.MapCount == 0)
        {
            if (u.Anon) _k.NrAnonMapped--;
            else _k.NrFileMapped--;
        }
        return u.Removed;
    }

    private struct TryToUnmapOne : IRmapOne
    {
        public Kernel K;
        public int Pfn, Slot, Removed;
        public bool Anon;

        public void Visit(MmStruct mm, Vma vma, ref ulong entry, int slot, ulong address)
        {
            ref var f = ref K.Frames[Pfn];
            ulong pte = entry;
            if ((pte & Pte.Dirty) != 0 && (f.Flags & (uint)FrameFlags.Dirty) == 0)
            {
                if (Anon) f.Flags |= (uint)FrameFlags.Dirty;
                else if ((vma.Flags & VmFlags.Shared) != 0) K.Writeback!.MarkDirty(Pfn, K.Now);
            }
            mm.Tlb.FlushPage((long)(address >> K.PageShift));
            f.MapCount--;
            Removed++;
            if (Anon)
            {
                entry = Pte.MakeSwap(Slot);
                K.Swap.Dup(Slot);
                mm.RssAnon--;
                mm.SwapEnts++;
            }
            else
            {
                entry = 0;
                mm.RssFile--;
            }
        }
    }
}
