using MmSim.Machine;
using MmSim.Mm;
using MmSim.Paging;

namespace MmSim.Translate;

/// <summary>One level of a walk: the table's frame, the index into it, the entry as the hardware would hold it,
/// and the frame it points to. The simulator's upper-level entries hold the next table's pool id; here the id is
/// replaced by that table's frame, as in a real x86 entry.</summary>
public sealed record WalkStep(string Level, int TablePfn, int Index, ulong Entry, long? EntryPfn, string Flags);

/// <summary>Why a walk does not end in a physical address (for a read), or why a write would still fault.</summary>
public enum WalkFault
{
    /// <summary>Bits 63..47 not all equal: #GP before any walk.</summary>
    NonCanonical,
    /// <summary>A kernel-half address from user mode: the user page tables have no user-accessible entry.</summary>
    KernelAddress,
    /// <summary>An entry on the way is empty.</summary>
    NotMapped,
    /// <summary>The PTE holds a swap entry: do_swap_page reads it back (a major fault).</summary>
    SwapEntry,
    /// <summary>The PTE maps the shared zero page read-only: a read is served, a write faults (wp_page_copy).</summary>
    ZeroPage,
    /// <summary>Present but not writable: a write faults (do_wp_page: copy on write, or SIGSEGV without VM_WRITE).</summary>
    WriteProtected,
    /// <summary>The process has no address space (not started, exited or killed).</summary>
    NoMm,
}

public sealed record PageWalkResult(
    ulong Address, IReadOnlyList<WalkStep> Steps, ulong? Physical, WalkFault? Fault, string Reason, Vma? Vma);

/// <summary>
/// A software walk of a process's page table as the simulation left it, like the MMU's (and follow_page's) walk:
/// from the mm's PGD down the <see cref="PagingLayout"/>'s levels to the PTE, reporting every table on the way.
/// Nothing is changed: no fault is taken, no Accessed bit set.
/// </summary>
public static class PageWalk
{
    public static PageWalkResult Walk(Kernel k, MmStruct mm, ulong address, bool write = false)
    {
        var steps = new List<WalkStep>();
        var vma = mm.FindVma(address);
        var layout = k.Layout;
        if (!layout.IsCanonicalAddress(address))
            return new(address, steps, null, WalkFault.NonCanonical,
                $"bits 63..{layout.TranslatedBits - 1} are not all equal; the CPU raises #GP, not a page fault (SIGSEGV)", null);
        if (address >= layout.KernelHalfStart)
            return new(address, steps, null, WalkFault.KernelAddress,
                "a user-mode access to the kernel half faults (supervisor page, error code U); bad_area_nosemaphore sends SIGSEGV", null);
        if (mm.PgdTable < 0)
            return new(address, steps, null, WalkFault.NoMm, "the process has no address space (not started, exited or killed)", null);

        int table = mm.PgdTable;
        for (int level = 0; level < layout.Levels; level++)
        {
            int idx = layout.Index(address, level);
            ulong entry = k.Tables[table][idx];
            bool leaf = level == layout.Levels - 1;
            long? target = entry == 0 || Pte.IsSwap(entry) ? null
                : leaf ? Pte.Pfn(entry) : k.Tables.FrameOf((int)Pte.Pfn(entry));
            ulong shown = leaf || target is null ? entry : (entry & ~Pte.PfnMask) | Pte.Make(target.Value, 0);
            steps.Add(new WalkStep(layout.LevelNames[level], k.Tables.FrameOf(table), idx, shown, target, Pte.Describe(entry)));
            if (!leaf)
            {
                if (!Pte.IsPresent(entry))
                    return new(address, steps, null, WalkFault.NotMapped, NotMappedReason(layout.LevelNames[level], vma), vma);
                table = (int)Pte.Pfn(entry);
                continue;
            }
            if (Pte.IsSwap(entry))
                return new(address, steps, null, WalkFault.SwapEntry,
                    $"slot {Pte.Pfn(entry)} of the swap device: do_swap_page reads the page back, a major fault", vma);
            if (!Pte.IsPresent(entry))
                return new(address, steps, null, WalkFault.NotMapped, NotMappedReason(layout.LevelNames[level], vma), vma);
            ulong physical = ((ulong)Pte.Pfn(entry) << layout.PageShift) | (address & (ulong)(layout.PageSize - 1));
            if ((entry & Pte.Special) != 0)
                return new(address, steps, physical, WalkFault.ZeroPage,
                    "the shared zero page, read-only: a read is served, a write faults (do_wp_page, wp_page_copy gives a new zeroed page)", vma);
            if (write && (entry & Pte.Write) == 0)
                return new(address, steps, physical, WalkFault.WriteProtected,
                    vma is not null && (vma.Flags & VmFlags.Write) != 0
                        ? "a write faults into do_wp_page (copy on write)"
                        : "the PTE is read-only and the VMA has no VM_WRITE: a write is SIGSEGV", vma);
            return new(address, steps, physical, null, "mapped", vma);
        }
        throw new InvalidOperationException("unreachable");
    }

    private static string NotMappedReason(string level, Vma? vma) => vma is null
        ? $"not mapped ({level} entry empty) and no VMA covers the address: the fault is SIGSEGV (bad_area)"
        : $"not mapped yet ({level} entry empty) inside VMA {Name(vma)}: the first touch faults and maps a page (demand paging)";

    public static string Name(Vma v) => v.Name.Length > 0 ? v.Name : "[anon]";
}
