namespace MmSim.Paging;

/// <summary>
/// A translation lookaside buffer: <c>entries</c> split into sets of <c>ways</c> entries (1 way = direct-mapped,
/// entry <c>vpn mod N</c>; ways = entries = fully associative), least recently used replaced within a set, and an
/// optional second level (an STLB) looked up on a first-level miss. Each entry caches one leaf PTE and where it
/// lives, so a write hit can set the dirty bit in the page table as the CPU does. Flushed on a context switch unless
/// the machine has PCID, and on any change to a mapping (the kernel's flush_tlb_page / flush_tlb_mm).
/// </summary>
public sealed class Tlb
{
    public struct Entry
    {
        public long Vpn;    // -1 = invalid
        public ulong Pte;
        public int Table;   // pool id of the PTE table holding the entry
        public int Slot;    // index in that table
        public long Used;   // LRU stamp (0 = invalid, replaced first)
    }

    private readonly Entry[] _entries;
    private readonly long _setMask;
    private readonly int _ways;
    private readonly Entry[]? _l2;
    private readonly long _l2SetMask;
    private readonly int _l2Ways;
    private long _clock;
    public long Hits;
    public long Misses;
    /// <summary>First-level misses found in the second level, and those that were not (walked).</summary>
    public long L2Hits, L2Misses;
    public long Flushes;

    public Tlb(int entries) : this(entries, 1, 0, 1) { }

    public Tlb(int entries, int ways, int l2Entries = 0, int l2Ways = 1)
    {
        Check(entries, ways, nameof(entries));
        _entries = new Entry[entries];
        _ways = ways;
        _setMask = entries / ways - 1;
        if (l2Entries > 0)
        {
            Check(l2Entries, l2Ways, nameof(l2Entries));
            _l2 = new Entry[l2Entries];
            _l2Ways = l2Ways;
            _l2SetMask = l2Entries / l2Ways - 1;
        }
        FlushAll();
        Flushes = 0;
    }

    private static void Check(int entries, int ways, string name)
    {
        if (entries < 1 || (entries & (entries - 1)) != 0)
            throw new ArgumentOutOfRangeException(name, "TLB entries must be a power of two");
        if (ways < 1 || (ways & (ways - 1)) != 0 || ways > entries)
            throw new ArgumentOutOfRangeException(name, "TLB ways must be a power of two, at most the entries");
    }

    public int Capacity => _entries.Length;
    public int Ways => _ways;
    public bool HasL2 => _l2 is not null;
    public int L2Capacity => _l2?.Length ?? 0;

    /// <summary>The first-level entry for <paramref name="vpn"/>: the one holding it (a hit, marked most recently
    /// used) or, on a miss, the set's victim for <see cref="Fill"/>.</summary>
    public ref Entry Lookup(long vpn)
    {
        if (_ways == 1) return ref _entries[vpn & _setMask];
        return ref Find(_entries, (int)(vpn & _setMask) * _ways, _ways, vpn);
    }

    /// <summary>The second-level entry for <paramref name="vpn"/>, as <see cref="Lookup"/> (only with a second level).</summary>
    public ref Entry LookupL2(long vpn) => ref Find(_l2!, (int)(vpn & _l2SetMask) * _l2Ways, _l2Ways, vpn);

    private ref Entry Find(Entry[] a, int b, int ways, long vpn)
    {
        int victim = b;
        long oldest = long.MaxValue;
        for (int i = b; i < b + ways; i++)
        {
            ref var e = ref a[i];
            if (e.Vpn == vpn) { e.Used = ++_clock; return ref e; }
            if (e.Used < oldest) { oldest = e.Used; victim = i; }
        }
        return ref a[victim];
    }

    public void Fill(ref Entry e, long vpn, ulong pte, int table, int slot)
    {
        e.Vpn = vpn; e.Pte = pte; e.Table = table; e.Slot = slot; e.Used = ++_clock;
    }

    public void FlushAll()
    {
        for (int i = 0; i < _entries.Length; i++) { _entries[i].Vpn = -1; _entries[i].Used = 0; }
        if (_l2 is not null)
            for (int i = 0; i < _l2.Length; i++) { _l2[i].Vpn = -1; _l2[i].Used = 0; }
        Flushes++;
    }

    public void FlushPage(long vpn)
    {
        Invalidate(_entries, (int)(vpn & _setMask) * _ways, _ways, vpn);
        if (_l2 is not null) Invalidate(_l2, (int)(vpn & _l2SetMask) * _l2Ways, _l2Ways, vpn);
    }

    private static void Invalidate(Entry[] a, int b, int ways, long vpn)
    {
        for (int i = b; i < b + ways; i++)
            if (a[i].Vpn == vpn) { a[i].Vpn = -1; a[i].Used = 0; }
    }
}
