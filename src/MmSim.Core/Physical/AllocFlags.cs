namespace MmSim.Physical;

/// <summary>
/// The allocator's internal <c>ALLOC_*</c> flags (mm/internal.h); the values are the simulator's own.
/// The low two bits select the watermark (<c>ALLOC_WMARK_MASK</c>).
/// </summary>
[Flags]
public enum AllocFlags
{
    /// <summary>ALLOC_WMARK_MIN.</summary>
    WmarkMin = 0,
    /// <summary>ALLOC_WMARK_LOW (the fast path).</summary>
    WmarkLow = 1,
    /// <summary>ALLOC_WMARK_HIGH.</summary>
    WmarkHigh = 2,
    /// <summary>ALLOC_NO_WATERMARKS (PF_MEMALLOC, __GFP_MEMALLOC): ignore watermarks entirely.</summary>
    NoWatermarks = 4,
    /// <summary>ALLOC_MIN_RESERVE (__GFP_HIGH): may use half of the min reserve.</summary>
    MinReserve = 8,
    /// <summary>ALLOC_NON_BLOCK (GFP_ATOMIC with <see cref="MinReserve"/>): a further quarter.</summary>
    NonBlock = 16,
    /// <summary>ALLOC_OOM (OOM victim): half of what is left.</summary>
    Oom = 32,
}

public static class AllocFlagBits
{
    /// <summary>ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1.</summary>
    public const int WmarkMask = 3;
}
