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
    private readonly List<Mapping> _found = new();

    public readonly record struct Mapping(MmStruct Mm, Vma Vma, int Table, int Slot, ulong Address);

    public Rmap(Kernel kernel, PageTableOps pageTables)
    {
        _k = kernel;
        _pt = pageTables;
    }

    /// <summary>rmap_walk: every PTE that maps <paramref name="pfn"/> (the list is reused: copy it to keep it).</summary>
    public List<Mapping> Walk(int pfn)
    {
        _found.Clear();
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.File) != 0)
        {
            var file = _k.Files[f.Owner];
            long index = f.Index;
            foreach (var (mm, vma) in file.Mappings)
            {
                long pages = vma.PageCount(_k.PageShift);
                if (index < vma.PgOff || index >= vma.PgOff + pages) continue;
                Probe(mm, vma, vma.Start + ((ulong)(index - vma.PgOff) << _k.PageShift), pfn);
            }
        }
        else if ((f.Flags & (uint)FrameFlags.Anon) != 0 && f.Owner >= 0)
        {
            ulong address = (ulong)SwapSlotBits.Vpn(f) << _k.PageShift;
            foreach (var mm in _k.AnonVmas[f.Owner])
            {
                var vma = mm.FindVma(address);
                if (vma is null || !vma.IsAnonymous && (vma.Flags & VmFlags.Shared) != 0) continue;
                Probe(mm, vma, address, pfn);
            }
        }
        return _found;
    }

    private void Probe(MmStruct mm, Vma vma, ulong address, int pfn)
    {
        int table = _pt.Walk(mm, address, out int slot);
        if (table < 0) return;
        ulong pte = _k.Tables[table][slot];
        if ((pte & Pte.Present) == 0 || (pte & Pte.Special) != 0 || Pte.Pfn(pte) != pfn) return;
        _found.Add(new Mapping(mm, vma, table, slot, address));
    }

    /// <summary>
    /// folio_referenced: how many PTEs mapping the page have the accessed bit, clearing it (x86's
    /// ptep_clear_flush_young does not flush the TLB, so a page hot in the TLB can look idle). Also tells whether
    /// a mapping is VM_LOCKED or VM_EXEC.
    /// </summary>
    public int Referenced(int pfn, out VmFlags vmFlags)
    {
        vmFlags = VmFlags.None;
        int young = 0;
        foreach (var m in Walk(pfn))
        {
            vmFlags |= m.Vma.Flags;
            var t = _k.Tables[m.Table];
            if ((t[m.Slot] & Pte.Accessed) != 0)
            {
                t[m.Slot] &= ~Pte.Accessed;
                young++;
            }
        }
        return young;
    }

    /// <summary>
    /// try_to_unmap: removes every mapping of the page. An anonymous page must be in the swap cache: each of its
    /// PTEs becomes a swap entry (MM_ANONPAGES − 1, MM_SWAPENTS + 1, swap_duplicate). A dirty bit found in a PTE
    /// moves to the page (folio_mark_dirty). Returns the number of mappings removed.
    /// </summary>
    public int TryToUnmap(int pfn)
    {
        ref var f = ref _k.Frames[pfn];
        bool anon = (f.Flags & (uint)FrameFlags.Anon) != 0;
        int slot = anon ? SwapSlotBits.Slot(f) : -1;
        int n = 0;
        foreach (var m in Walk(pfn))
        {
            var t = _k.Tables[m.Table];
            ulong pte = t[m.Slot];
            if ((pte & Pte.Dirty) != 0 && (f.Flags & (uint)FrameFlags.Dirty) == 0)
            {
                if (anon) f.Flags |= (uint)FrameFlags.Dirty;
                else if ((m.Vma.Flags & VmFlags.Shared) != 0) _k.Writeback!.MarkDirty(pfn, _k.Now);
            }
            m.Mm.Tlb.FlushPage((long)(m.Address >> _k.PageShift));
            f.MapCount--;
            n++;
            if (anon)
            {
                t[m.Slot] = Pte.MakeSwap(slot);
                _k.Swap.Dup(slot);
                m.Mm.RssAnon--;
                m.Mm.SwapEnts++;
            }
            else
            {
                t[m.Slot] = 0;
                m.Mm.RssFile--;
            }
        }
        if (n > 0 && f.MapCount == 0)
        {
            if (anon) _k.NrAnonMapped--;
            else _k.NrFileMapped--;
        }
        return n;
    }
}
