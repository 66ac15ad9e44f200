namespace MmSim.Physical;

/// <summary>Per-zone watermarks, indexed by <see cref="ZoneType"/> (all four zones, populated or not), in pages.</summary>
public sealed class WatermarkSet
{
    public readonly long[] Min = new long[ZoneTypes.Count];
    public readonly long[] Low = new long[ZoneTypes.Count];
    public readonly long[] High = new long[ZoneTypes.Count];
    public readonly long[] Promo = new long[ZoneTypes.Count];
}

/// <summary>
/// The kernel's watermark formulas as pure functions on per-zone managed page counts (arrays indexed by
/// <see cref="ZoneType"/>). All maths is C integer maths (truncating division).
/// </summary>
public static class Watermarks
{
    /// <summary>SWAP_CLUSTER_MAX, the lower clamp of a highmem/movable zone's MIN watermark.</summary>
    public const long SwapClusterMax = 32;

    /// <summary><c>int_sqrt</c> (lib/math/int_sqrt.c): the bit-by-bit integer square root, ⌊√x⌋.</summary>
    public static ulong IntSqrt(ulong x)
    {
        if (x <= 1) return x;
        ulong y = 0;
        ulong m = 1UL << ((63 - System.Numerics.BitOperations.LeadingZeroCount(x)) & ~1);
        while (m != 0)
        {
            ulong b = y + m;
            y >>= 1;
            if (x >= b)
            {
                x -= b;
                y += m;
            }
            m >>= 2;
        }
        return y;
    }

    /// <summary>
    /// <c>calculate_min_free_kbytes</c> (mm/page_alloc.c) without the user override: lowmem_kbytes =
    /// nr_free_buffer_pages · (PAGE_SIZE >> 10); new = int_sqrt(lowmem_kbytes · 16), clamped to 128 .. 262144.
    /// </summary>
    public static long CalculateMinFreeKbytes(long nrFreeBufferPages, int pageShift = 12)
    {
        ulong lowmemKbytes = (ulong)nrFreeBufferPages << (pageShift - 10);
        long v = (long)IntSqrt(lowmemKbytes * 16);
        return Math.Clamp(v, 128, 262144);
    }

    /// <summary>
    /// khugepaged's <c>set_recommended_min_free_kbytes</c> (mm/khugepaged.c): pageblock_nr_pages · nr_zones ·
    /// (2 + MIGRATE_PCPTYPES²), capped at nr_free_buffer_pages / 20, converted to kB. The caller applies it only if it
    /// is larger than the current min_free_kbytes.
    /// </summary>
    /// <param name="nrZones">Populated zones no higher than ZONE_NORMAL (gfp_zone(GFP_USER)).</param>
    public static long RecommendedMinFreeKbytes(int nrZones, long pageblockNrPages, long nrFreeBufferPages, int pageShift = 12)
    {
        const long migratePcpTypes = 3;
        long recommended = pageblockNrPages * nrZones * 2;
        recommended += pageblockNrPages * nrZones * migratePcpTypes * migratePcpTypes;
        recommended = Math.Min(recommended, nrFreeBufferPages / 20);
        return recommended << (pageShift - 10);
    }

    /// <summary>
    /// <c>nr_free_buffer_pages</c> → <c>nr_free_zone_pages(gfp_zone(GFP_USER))</c> (mm/page_alloc.c): Σ over zones up to
    /// ZONE_NORMAL of managed − high watermark, where positive.
    /// </summary>
    public static long NrFreeBufferPages(long[] managed, long[]? high)
    {
        long sum = 0;
        for (int i = 0; i <= (int)ZoneType.Normal; i++)
        {
            long h = high?[i] ?? 0;
            if (managed[i] > h) sum += managed[i] - h;
        }
        return sum;
    }

    /// <summary>
    /// <c>__setup_per_zone_wmarks</c> (mm/page_alloc.c, 6.6 form): pages_min = min_free_kbytes >> (PAGE_SHIFT − 10),
    /// shared among the non-highmem, non-movable zones in proportion to managed pages; movable zones get
    /// clamp(managed/1024, 32, 128); the gaps LOW−MIN, HIGH−LOW, PROMO−HIGH are
    /// max(tmp/4, managed · watermark_scale_factor / 10000). Watermark boost is reset to 0 (not modelled here).
    /// </summary>
    public static WatermarkSet Setup(long[] managed, long minFreeKbytes, int watermarkScaleFactor, int pageShift = 12)
    {
        long pagesMin = minFreeKbytes >> (pageShift - 10);
        long lowmemPages = 0;
        for (int i = 0; i < ZoneTypes.Count; i++)
            if (!ZoneTypes.IsHighmemOrMovable((ZoneType)i)) lowmemPages += managed[i];

        var w = new WatermarkSet();
        for (int i = 0; i < ZoneTypes.Count; i++)
        {
            // tmp = (u64)pages_min * zone_managed_pages(zone); tmp = div64_ul(tmp, lowmem_pages);
            long tmp = lowmemPages == 0 ? 0 : pagesMin * managed[i] / lowmemPages;
            long min = ZoneTypes.IsHighmemOrMovable((ZoneType)i)
                ? Math.Clamp(managed[i] / 1024, SwapClusterMax, 128)
                : tmp;
            long delta = Math.Max(tmp >> 2, MultFrac(managed[i], watermarkScaleFactor, 10000));
            w.Min[i] = min;
            w.Low[i] = min + delta;
            w.High[i] = min + delta * 2;
            w.Promo[i] = min + delta * 3;
        }
        return w;
    }

    /// <summary>
    /// <c>setup_per_zone_lowmem_reserve</c> (mm/page_alloc.c): for zone i and each higher zone j,
    /// lowmem_reserve[j] = (Σ managed of zones i+1..j) / lowmem_reserve_ratio[i]; all 0 when the ratio is 0 or zone i has
    /// no managed pages. Result [i][j], i = the zone holding the reserve.
    /// </summary>
    public static long[][] LowmemReserve(long[] managed, int[] ratio)
    {
        var r = new long[ZoneTypes.Count][];
        for (int i = 0; i < ZoneTypes.Count; i++) r[i] = new long[ZoneTypes.Count];
        for (int i = 0; i < ZoneTypes.Count - 1; i++)
        {
            int rt = ratio[i] < 1 ? 0 : ratio[i];
            bool clear = rt == 0 || managed[i] == 0;
            long sum = 0;
            for (int j = i + 1; j < ZoneTypes.Count; j++)
            {
                sum += managed[j];
                r[i][j] = clear ? 0 : sum / rt;
            }
        }
        return r;
    }

    /// <summary>
    /// <c>calculate_totalreserve_pages</c> (mm/page_alloc.c): Σ over zones of min(managed, max_{j≥i} lowmem_reserve[j]
    /// + high watermark).
    /// </summary>
    public static long TotalReservePages(long[] managed, long[] high, long[][] lowmemReserve)
    {
        long total = 0;
        for (int i = 0; i < ZoneTypes.Count; i++)
        {
            long max = 0;
            for (int j = i; j < ZoneTypes.Count; j++)
                if (lowmemReserve[i][j] > max) max = lowmemReserve[i][j];
            max += high[i];
            if (max > managed[i]) max = managed[i];
            total += max;
        }
        return total;
    }

    /// <summary><c>mult_frac(x, n, d)</c> (include/linux/math.h): x·n/d without overflowing x·n.</summary>
    public static long MultFrac(long x, long n, long d)
    {
        long q = x / d, r = x % d;
        return q * n + r * n / d;
    }
}
