using System.Runtime.InteropServices;

namespace MmSim.Physical;

/// <summary>
/// The simulator's own memory, not the simulated machine's: its big tables (the frame table, the swap map) are
/// read at random, one cache line per simulated page, and with 4 KiB host pages nearly every such read also
/// misses the host CPU's TLB. Asking Linux for transparent huge pages on them (madvise MADV_HUGEPAGE, honoured
/// when /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or "always") lets one TLB entry cover 2 MiB.
/// The array is allocated uninitialised and advised before anything touches it, so its first writes fault in
/// huge pages. Best effort: on other systems, or if libc or the call is missing, nothing changes.
/// </summary>
internal static unsafe class HostHugePages
{
    private const int MadvHugepage = 14;
    private const nint HugePageSize = 2 << 20;
    /// <summary>Smaller arrays hold at most one aligned huge page.</summary>
    private const long MinBytes = 4L << 20;

    private static readonly delegate* unmanaged<nint, nint, int, int> Madvise = Resolve();

    /// <summary>An uninitialised array of <paramref name="length"/> elements, advised for huge pages when large.
    /// The caller initialises every element.</summary>
    public static T[] Allocate<T>(int length) where T : unmanaged
    {
        // Pinned: the array never moves, so the advice stays with it.
        var a = GC.AllocateUninitializedArray<T>(length, pinned: true);
        long bytes = (long)a.Length * sizeof(T);
        if (bytes >= MinBytes && Madvise != null)
        {
            fixed (T* p = a)
            {
                nint start = ((nint)p + HugePageSize - 1) & ~(HugePageSize - 1);
                nint end = ((nint)p + (nint)bytes) & ~(HugePageSize - 1);
                if (end > start) _ = Madvise(start, end - start, MadvHugepage);
            }
        }
        return a;
    }

    private static delegate* unmanaged<nint, nint, int, int> Resolve()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)) return null;
        return NativeLibrary.TryGetExport(libc, "madvise", out var f) ? (delegate* unmanaged<nint, nint, int, int>)f : null;
    }
}
