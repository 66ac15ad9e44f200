using System.Runtime.CompilerServices;
namespace MmSim.Mm;

/// <summary>How a page fault ended.</summary>
public enum FaultOutcome : byte
{
    /// <summary>Resolved without I/O (min_flt).</summary>
    Minor,
    /// <summary>Resolved after waiting for the disk (maj_flt, pgmajfault).</summary>
    Major,
    /// <summary>No mapping at the address: SIGSEGV, SEGV_MAPERR.</summary>
    SegvMapErr,
    /// <summary>The mapping forbids this access: SIGSEGV, SEGV_ACCERR.</summary>
    SegvAccErr,
    /// <summary>A user-mode access to kernel space: SIGSEGV (the kernel half is supervisor-only).</summary>
    SegvKernel,
    /// <summary>A non-canonical address: a general-protection fault, delivered as SIGSEGV.</summary>
    SegvNonCanonical,
    /// <summary>No page could be allocated (VM_FAULT_OOM).</summary>
    Oom,
}

/// <summary>What kind of fault it was, for the event log and per-kind counts.</summary>
public enum FaultKind : byte
{
    None,
    AnonZeroFill,   // do_anonymous_page, write: a new zeroed page
    AnonZeroPage,   // do_anonymous_page, read: the shared zero page
    CowZeroPage,    // do_wp_page on the zero page: wp_page_copy
    CowFile,        // do_cow_fault / do_wp_page on a private file page
    Reuse,          // do_wp_page: the page is ours alone, made writable
    FileRead,       // do_read_fault
    FileShared,     // do_shared_fault
    Spurious,       // already fixed (a stale TLB entry)
    SwapIn,         // do_swap_page
    CowAnon,        // do_wp_page on an anonymous page it cannot reuse (shared after fork, or its swap copy under write): wp_page_copy
}

/// <remarks>The constructor is written out so that it can be marked for inlining: the fault handler's large
/// methods had used up the JIT's inlining budget and called the generated one.</remarks>
public readonly record struct FaultResult
{
    public FaultOutcome Outcome { get; init; }
    public FaultKind Kind { get; init; }
    public long IoNs { get; init; }
    public int PagesRead { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FaultResult(FaultOutcome outcome, FaultKind kind, long ioNs, int pagesRead)
    {
        Outcome = outcome;
        Kind = kind;
        IoNs = ioNs;
        PagesRead = pagesRead;
    }

    public bool IsError => Outcome >= FaultOutcome.SegvMapErr;
    public bool IsSegv => Outcome is >= FaultOutcome.SegvMapErr and <= FaultOutcome.SegvNonCanonical;
}
