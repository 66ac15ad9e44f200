namespace MmSim.Physical;

/// <summary>
/// The physical memory of a single-node machine: the frame table (index = pfn), its zones with their buddy free
/// lists, the boot-time reservations, and the watermark settings (min_free_kbytes, watermark_scale_factor,
/// lowmem_reserve_ratio). Allocation and freeing live in PhysicalMemory.Alloc.cs.
/// Not modelled: migratetypes (one free list per order), per-cpu page lists, free-page shuffling, watermark boost,
/// highatomic and CMA reserves, NUMA (one node). See docs/physical-memory.md.
/// </summary>
public sealed partial class PhysicalMemory
{
    /// <summary>The frame table, index = pfn. Every frame is Reserved (holes have NotPresent too), part of a free
    /// buddy block, or Allocated.</summary>
    public Frame[] Frames { get; }


    /// <summary>Populated zones, in <see cref="ZoneType"/> order.</summary>
    public IReadOnlyList<Zone> Zones { get; }

    /// <summary>All zones indexed by <see cref="ZoneType"/>, populated or not (/proc/zoneinfo lists them all).</summary>
    public IReadOnlyList<Zone> AllZones => _zones;

    public int PageSize { get; }
    public int PageShift { get; }
    public long TotalFrames { get; }

    /// <summary>totalram_pages: Σ managed pages (MemTotal).</summary>
    public long TotalRamPages { get; }

    /// <summary>NR_FREE_PAGES, Σ over zones. (Named NrFreePages because <see cref="FreePages(int, int)"/> is the
    /// kernel's free_pages().)</summary>
    public long NrFreePages
    {
        get
        {
            long s = 0;
            for (int i = 0; i < _zones.Length; i++) s += _zones[i].FreePages;
            return s;
        }
    }

    /// <summary>vm.min_free_kbytes.</summary>
    public long MinFreeKbytes { get; private set; }
    /// <summary>user_min_free_kbytes: the last value written through <see cref="SetMinFreeKbytes"/> or the config, −1 if none.</summary>
    public long UserMinFreeKbytes { get; private set; } = -1;
    public int WatermarkScaleFactor { get; private set; }
    public IReadOnlyList<int> LowmemReserveRatio => _lowmemReserveRatio;
    /// <summary>totalreserve_pages (<c>calculate_totalreserve_pages</c>).</summary>
    public long TotalReservePages { get; private set; }
    public ReservedMemory Reserved { get; }
    public string TransparentHugepage { get; }

    /// <summary>HPAGE_PMD_ORDER: a PMD maps PAGE_SIZE/8 entries, so PAGE_SHIFT − 3 (9 at 4 KiB, 11 at 16 KiB, 13 at 64 KiB).</summary>
    public int HpagePmdOrder => PageShift - 3;
    /// <summary>pageblock_nr_pages = 1 &lt;&lt; min(HPAGE_PMD_ORDER, MAX_ORDER): 512 at 4 KiB, 1024 from 8 KiB up.</summary>
    public long PageblockNrPages => 1L << Math.Min(HpagePmdOrder, Buddy.MaxOrder);

    private readonly Zone[] _zones;
    private readonly int[] _lowmemReserveRatio;
    private readonly long _dma32StartPfn, _normalStartPfn;
    /// <summary>For each zone span, the populated zone its frames belong to (an empty zone falls back downward).</summary>
    private readonly int[] _zoneIndex = new int[3];

    /// <exception cref="InputException">Impossible configuration (source "machine").</exception>
    public PhysicalMemory(PhysicalMemoryConfig cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        cfg.Validate();
        PageSize = cfg.PageSize;
        PageShift = System.Numerics.BitOperations.Log2((uint)cfg.PageSize);
        TotalFrames = cfg.MemoryBytes / cfg.PageSize;
        TransparentHugepage = cfg.TransparentHugepage;
        WatermarkScaleFactor = cfg.WatermarkScaleFactor;
        _lowmemReserveRatio = cfg.LowmemReserveRatio[..ZoneTypes.Count];

        var boot = BootMemory.Build(cfg);
        Frames = boot.Frames;
        _zones = boot.AllZones;
        Reserved = boot.Reserved;
        _dma32StartPfn = boot.Dma32StartPfn;
        _normalStartPfn = boot.NormalStartPfn;
        for (int t = 0; t < 3; t++)
        {
            int z = t;
            while (z > 0 && !_zones[z].IsPopulated) z--;
            _zoneIndex[t] = (int)_zones[z].Type;
        }
        var populated = new List<Zone>();
        foreach (var z in _zones)
        {
            if (z.IsPopulated) populated.Add(z);
            TotalRamPages += z.ManagedPages;
        }
        Zones = populated.AsReadOnly();

        InitPerZoneWmarkMin();
        if (cfg.MinFreeKbytes is long kb) SetMinFreeKbytes(kb);
    }

    /// <summary>
    /// Boot: <c>init_per_zone_wmark_min</c> (calculate_min_free_kbytes → setup_per_zone_wmarks →
    /// setup_per_zone_lowmem_reserve), then <c>hugepage_init</c> (mm/huge_memory.c): on machines with less than
    /// 512 MiB of totalram THP is switched off and khugepaged never starts; otherwise <c>start_stop_khugepaged</c> →
    /// <c>set_recommended_min_free_kbytes</c>, which with THP always/madvise raises min_free_kbytes to the
    /// recommendation and with THP never recalculates it (now with the watermarks set).
    /// </summary>
    private void InitPerZoneWmarkMin()
    {
        long[] managed = ManagedArray();
        MinFreeKbytes = Watermarks.CalculateMinFreeKbytes(Watermarks.NrFreeBufferPages(managed, null), PageShift);
        SetupPerZoneWmarks();
        SetupPerZoneLowmemReserve();

        if (TotalRamPages < (512L << (20 - PageShift))) return;
        if (TransparentHugepage == "never")
        {
            CalculateMinFreeKbytes();
        }
        else
        {
            int nrZones = 0;
            for (int t = 0; t <= (int)ZoneType.Normal; t++)
                if (_zones[t].IsPopulated) nrZones++;
            long recommended = Watermarks.RecommendedMinFreeKbytes(nrZones, PageblockNrPages, NrFreeBufferPages(), PageShift);
            if (recommended > MinFreeKbytes) MinFreeKbytes = recommended;
        }
        SetupPerZoneWmarks();
    }

    /// <summary><c>calculate_min_free_kbytes</c> with the user override: a new value only replaces a user-written one
    /// that is smaller.</summary>
    private void CalculateMinFreeKbytes()
    {
        long lowmemKbytes = NrFreeBufferPages() << (PageShift - 10);
        long fresh = (long)Watermarks.IntSqrt((ulong)lowmemKbytes * 16);
        if (fresh > UserMinFreeKbytes) MinFreeKbytes = Math.Clamp(fresh, 128, 262144);
    }

    /// <summary><c>nr_free_buffer_pages()</c> with the current watermarks.</summary>
    public long NrFreeBufferPages() => Watermarks.NrFreeBufferPages(ManagedArray(), HighArray());

    /// <summary>Write vm.min_free_kbytes (<c>min_free_kbytes_sysctl_handler</c>): records it as the user's value and
    /// recomputes the watermarks and totalreserve_pages.</summary>
    public void SetMinFreeKbytes(long kb)
    {
        if (kb < 0 || kb > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(kb), kb, $"min_free_kbytes must be between 0 and {int.MaxValue}");
        MinFreeKbytes = kb;
        UserMinFreeKbytes = kb;
        SetupPerZoneWmarks();
    }

    /// <summary>Write vm.watermark_scale_factor (<c>watermark_scale_factor_sysctl_handler</c>), 1..3000.</summary>
    public void SetWatermarkScaleFactor(int factor)
    {
        if (factor < 1 || factor > 3000)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "watermark_scale_factor must be between 1 and 3000");
        WatermarkScaleFactor = factor;
        SetupPerZoneWmarks();
    }

    /// <summary>Write vm.lowmem_reserve_ratio (<c>lowmem_reserve_ratio_sysctl_handler</c>): values below 1 become 0.</summary>
    public void SetLowmemReserveRatio(int[] ratio)
    {
        ArgumentNullException.ThrowIfNull(ratio);
        if (ratio.Length is < ZoneTypes.Count or > ZoneTypes.Count + 1)
            throw new ArgumentException($"lowmem_reserve_ratio needs {ZoneTypes.Count} values", nameof(ratio));
        for (int i = 0; i < ZoneTypes.Count; i++) _lowmemReserveRatio[i] = ratio[i] < 1 ? 0 : ratio[i];
        SetupPerZoneLowmemReserve();
    }

    /// <summary><c>__setup_per_zone_wmarks</c> then <c>calculate_totalreserve_pages</c>.</summary>
    private void SetupPerZoneWmarks()
    {
        var w = Watermarks.Setup(ManagedArray(), MinFreeKbytes, WatermarkScaleFactor, PageShift);
        for (int t = 0; t < ZoneTypes.Count; t++)
        {
            var z = _zones[t];
            z.WatermarkMin = w.Min[t];
            z.WatermarkLow = w.Low[t];
            z.WatermarkHigh = w.High[t];
            z.WatermarkPromo = w.Promo[t];
            z.WatermarkBoost = 0;
        }
        CalculateTotalReservePages();
    }

    /// <summary><c>setup_per_zone_lowmem_reserve</c> then <c>calculate_totalreserve_pages</c>.</summary>
    private void SetupPerZoneLowmemReserve()
    {
        var r = Watermarks.LowmemReserve(ManagedArray(), _lowmemReserveRatio);
        for (int t = 0; t < ZoneTypes.Count; t++) Array.Copy(r[t], _zones[t].LowmemReserve, ZoneTypes.Count);
        CalculateTotalReservePages();
    }

    private void CalculateTotalReservePages()
    {
        var r = new long[ZoneTypes.Count][];
        for (int t = 0; t < ZoneTypes.Count; t++) r[t] = _zones[t].LowmemReserve;
        TotalReservePages = Watermarks.TotalReservePages(ManagedArray(), HighArray(), r);
    }

    private long[] ManagedArray()
    {
        var a = new long[ZoneTypes.Count];
        for (int t = 0; t < ZoneTypes.Count; t++) a[t] = _zones[t].ManagedPages;
        return a;
    }

    private long[] HighArray()
    {
        var a = new long[ZoneTypes.Count];
        for (int t = 0; t < ZoneTypes.Count; t++) a[t] = _zones[t].WatermarkHigh + _zones[t].WatermarkBoost;
        return a;
    }

    /// <summary>Asks the CPU for a frame's cache line ahead of its use (no effect on the simulation).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchFrame(long pfn)
    {
        var frames = Frames;
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && (ulong)pfn < (ulong)frames.Length)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref frames[pfn]));
    }

    /// <summary>The zone a pfn belongs to (<c>page_zone</c>). Holes outside every zone's span (page 0, the top
    /// firmware area) are attributed to the zone whose address range holds them, or the highest populated zone below.</summary>
    /// <summary>The zone type holding <paramref name="pfn"/>, without a bounds check (hot path: LRU accounting).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int ZoneIndexOf(int pfn) => pfn < _dma32StartPfn ? _zoneIndex[0] : pfn < _normalStartPfn ? _zoneIndex[1] : _zoneIndex[2];

    public Zone ZoneOf(int pfn)
    {
        if ((uint)pfn >= (ulong)TotalFrames)
            throw new ArgumentOutOfRangeException(nameof(pfn), pfn, $"pfn must be in [0, {TotalFrames})");
        int t = pfn < _dma32StartPfn ? 0 : pfn < _normalStartPfn ? 1 : 2;
        while (t > 0 && !_zones[t].IsPopulated) t--;
        return _zones[t];
    }

    public Zone GetZone(ZoneType type) => _zones[(int)type];
}
