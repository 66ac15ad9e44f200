using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MmSim.Paging;

/// <summary>
/// A translation lookaside buffer: <c>entries</c> split into sets of <c>ways</c> entries (1 way = direct-mapped,
/// entry <c>vpn mod N</c>; ways = entries = fully associative), least recently used replaced within a set, and an
/// optional second level (an STLB) looked up on a first-level miss. Each entry caches one leaf PTE and where it
/// lives, so a write hit can set the dirty bit in the page table as the CPU does. Flushed on a context switch unless
/// the machine has PCID, and on any change to a mapping (the kernel's flush_tlb_page / flush_tlb_mm).
/// </summary>
/// <remarks>
/// Laid out for the lookup (the hot path of a set-associative TLB): the tags (VPNs) of a set are contiguous in
/// their own array, so 2, 4 or 8 ways are compared in one vector instruction; the set index is a mask and a shift.
/// LRU for up to 8 ways is one 64-bit word per set holding a byte-sized age per way (0 = most recently used,
/// ways − 1 = the victim), updated without branches; wider sets keep a use stamp per entry.
/// </remarks>
public sealed class Tlb
{
    public struct Entry
    {
        public long Vpn;    // -1 = invalid
        public ulong Pte;
        public int Table;   // pool id of the PTE table holding the entry
        public int Slot;    // index in that table
    }

    private const ulong Lanes01 = 0x0101010101010101, Lanes80 = 0x8080808080808080;

    /// <summary>One level: payload, tags and LRU state, index for index.</summary>
    private sealed class Level
    {
        public readonly Entry[] Entries;
        public readonly long[] Tags;      // = Entries[i].Vpn, contiguous per set
        public readonly ulong[]? Ages;    // ways ≤ 8: per set, byte w = age of way w (a permutation of 0..ways−1)
        public readonly long[]? Used;     // ways > 8: LRU stamp per entry (0 = invalid, replaced first)
        public readonly long SetMask;
        public readonly int Ways, WaysShift;
        public readonly ulong LaneMask;   // the bytes of the ways in use

        public Level(int entries, int ways)
        {
            Entries = new Entry[entries];
            Tags = new long[entries];
            Ways = ways;
            WaysShift = BitOperations.Log2((uint)ways);
            SetMask = entries / ways - 1;
            if (ways <= 8)
            {
                Ages = new ulong[entries / ways];
                LaneMask = ways == 8 ? ulong.MaxValue : (1UL << (8 * ways)) - 1;
            }
            else Used = new long[entries];
        }

        /// <summary>Ages of a fresh set: way 0 the oldest, so invalid ways fill in index order.</summary>
        public ulong FreshAges()
        {
            ulong a = 0;
            for (int w = 0; w < Ways; w++) a |= (ulong)(Ways - 1 - w) << (8 * w);
            return a;
        }
    }

    private readonly Level _l1;
    private readonly Level? _l2;
    // The first level's arrays and geometry, in fields for the hot path.
    private readonly Entry[] _entries;
    private readonly long[] _tags;
    private readonly ulong[]? _ages;
    private readonly long _setMask;
    private readonly int _ways, _waysShift;
    private readonly ulong _laneMask;
    /// <summary>Where the last miss of each level left its victim, so that <see cref="Fill"/> finds its index.</summary>
    private int _victim1 = -1, _victim2 = -1;
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
        _l1 = new Level(entries, ways);
        (_entries, _tags, _ages, _setMask, _ways, _waysShift, _laneMask) =
            (_l1.Entries, _l1.Tags, _l1.Ages, _l1.SetMask, ways, _l1.WaysShift, _l1.LaneMask);
        if (l2Entries > 0)
        {
            Check(l2Entries, l2Ways, nameof(l2Entries));
            _l2 = new Level(l2Entries, l2Ways);
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
    public int L2Capacity => _l2?.Entries.Length ?? 0;

    /// <summary>The first-level entry for <paramref name="vpn"/>: the one holding it (a hit, marked most recently
    /// used) or, on a miss, the set's victim for <see cref="Fill"/>.</summary>
    public ref Entry Lookup(long vpn)
    {
        int i = Probe(vpn);
        if (i < 0) _victim1 = i = ~i;
        return ref _entries[i];
    }

    /// <summary>
    /// The MMU's lookup: the index of the first-level entry holding <paramref name="vpn"/> (a hit, marked most
    /// recently used), or on a miss the complement (~) of the index of the set's victim, for <see cref="FillL1"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Probe(long vpn)
    {
        if (_ways == 1)
        {
            int i = (int)(vpn & _setMask);
            return _entries[i].Vpn == vpn ? i : ~i;
        }
        if (_ways == 4 && Vector256.IsHardwareAccelerated)
        {
            // The hot geometry inlined: one vector compare of the set's 4 tags. Set and way are masked into range,
            // so the array reads need no bounds check.
            int set = (int)(vpn & _setMask), b = set << 2;
            ref long tags = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), b);
            uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref tags), Vector256.Create(vpn)).ExtractMostSignificantBits();
            ref ulong ages = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ages!), set);
            if (mask != 0)
            {
                int way = BitOperations.TrailingZeroCount(mask);
                ages = Touch(ages, way, _laneMask);
                return b + way;
            }
            return ~(b + Oldest(ages, 4));
        }
        return Find(_l1, vpn);
    }

    /// <summary>The first-level entry at an index <see cref="Probe"/> returned (no bounds check: it is in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref Entry At(int index) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), index);

    /// <summary>The second-level entry for <paramref name="vpn"/>, as <see cref="Lookup"/> (only with a second level).</summary>
    public ref Entry LookupL2(long vpn)
    {
        int i = Find(_l2!, vpn);
        if (i < 0) _victim2 = i = ~i;
        return ref _l2!.Entries[i];
    }

    /// <summary>As <see cref="Probe"/>, for any level and geometry.</summary>
    private int Find(Level l, long vpn)
    {
        int set = (int)(vpn & l.SetMask);
        int b = set << l.WaysShift;
        int way = Match(l, b, vpn);
        if (l.Ages is { } ages)
        {
            ref ulong a = ref ages[set];
            if (way < 0) return ~(b + Oldest(a, l.Ways));
            a = Touch(a, way, l.LaneMask);
            return b + way;
        }
        if (way < 0) return ~Victim(l.Used!, b, l.Ways);
        l.Used![b + way] = ++_clock;
        return b + way;
    }

    /// <summary>The way of the set starting at <paramref name="b"/> whose tag is <paramref name="vpn"/>, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Match(Level l, int b, long vpn)
    {
        ref long tags = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(l.Tags), b);
        uint mask;
        if (l.Ways == 4 && Vector256.IsHardwareAccelerated)
            mask = Vector256.Equals(Vector256.LoadUnsafe(ref tags), Vector256.Create(vpn)).ExtractMostSignificantBits();
        else if (l.Ways == 8 && Vector512.IsHardwareAccelerated)
            mask = (uint)Vector512.Equals(Vector512.LoadUnsafe(ref tags), Vector512.Create(vpn)).ExtractMostSignificantBits();
        else if (l.Ways == 8 && Vector256.IsHardwareAccelerated)
            mask = Vector256.Equals(Vector256.LoadUnsafe(ref tags), Vector256.Create(vpn)).ExtractMostSignificantBits()
                 | Vector256.Equals(Vector256.LoadUnsafe(ref tags, 4), Vector256.Create(vpn)).ExtractMostSignificantBits() << 4;
        else if (l.Ways == 2 && Vector128.IsHardwareAccelerated)
            mask = Vector128.Equals(Vector128.LoadUnsafe(ref tags), Vector128.Create(vpn)).ExtractMostSignificantBits();
        else
        {
            for (int w = 0; w < l.Ways; w++)
                if (Unsafe.Add(ref tags, w) == vpn) return w;
            return -1;
        }
        return mask == 0 ? -1 : BitOperations.TrailingZeroCount(mask);
    }

    /// <summary>The way whose age is ways − 1 (the least recently used): the first zero byte of
    /// ages XOR (ways − 1) in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Oldest(ulong ages, int ways)
    {
        ulong x = ages ^ ((ulong)(ways - 1) * Lanes01);
        ulong zero = (x - Lanes01) & ~x & Lanes80; // exact for the lowest zero byte
        return BitOperations.TrailingZeroCount(zero) >> 3;
    }

    /// <summary>Way <paramref name="way"/> becomes the most recently used: the ways younger than it age by one,
    /// it gets age 0. Lane by lane, 0x80 + a − 1 − b has its top bit set exactly when b &lt; a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Touch(ulong ages, int way, ulong laneMask)
    {
        int shift = way << 3;
        ulong a = (ages >> shift) & 0xFF;
        // 0x80 + a − 1 − b in each lane (≥ 0x78: no borrow between lanes, also for a = 0).
        ulong younger = (((Lanes80 | (a * Lanes01)) - ages - Lanes01) >> 7) & Lanes01 & laneMask;
        return (ages + younger) & ~(0xFFUL << shift);
    }

    /// <summary>The least recently used way of the set (an invalid one first: its stamp is 0).</summary>
    private static int Victim(long[] used, int b, int ways)
    {
        int victim = b;
        long oldest = used[b];
        for (int i = b + 1; i < b + ways; i++)
            if (used[i] < oldest) { oldest = used[i]; victim = i; }
        return victim;
    }

    public void Fill(ref Entry e, long vpn, ulong pte, int table, int slot)
    {
        Level l;
        int i;
        // Usually the victim the last lookup of a level returned; else (e.g. a direct-mapped first level) found by address.
        if (_victim1 >= 0 && Unsafe.AreSame(ref e, ref _entries[_victim1])) (l, i) = (_l1, _victim1);
        else if (_victim2 >= 0 && Unsafe.AreSame(ref e, ref _l2!.Entries[_victim2])) (l, i) = (_l2, _victim2);
        else l = IndexOf(ref e, out i);
        FillAt(l, i, vpn, pte, table, slot);
    }

    /// <summary>The MMU's fill after <see cref="Probe"/> missed: the victim at <paramref name="index"/> gets the
    /// translation and becomes the set's most recently used. The victim is the set's oldest way, so every other
    /// way ages by one: one add instead of <see cref="Touch"/>'s comparisons.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void FillL1(int index, long vpn, ulong pte, int table, int slot)
    {
        if (_ways == 4 && Vector256.IsHardwareAccelerated)
        {
            ref Entry e = ref At(index);
            e.Vpn = vpn; e.Pte = pte; e.Table = table; e.Slot = slot;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), index) = vpn;
            ref ulong ages = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ages!), index >> 2);
            ages = (ages + (Lanes01 & _laneMask)) & ~(0xFFUL << ((index & 3) << 3));
            return;
        }
        FillAt(_l1, index, vpn, pte, table, slot);
    }

    private void FillAt(Level l, int i, long vpn, ulong pte, int table, int slot)
    {
        ref Entry e = ref l.Entries[i];
        e.Vpn = vpn; e.Pte = pte; e.Table = table; e.Slot = slot;
        l.Tags[i] = vpn;
        if (l.Ages is { } ages)
        {
            if (l.Ways > 1) ages[i >> l.WaysShift] = Touch(ages[i >> l.WaysShift], i & (l.Ways - 1), l.LaneMask);
        }
        else l.Used![i] = ++_clock;
    }

    /// <summary>Which level's array holds <paramref name="e"/>, and at which index.</summary>
    private Level IndexOf(ref Entry e, out int index)
    {
        nint off = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_l1.Entries), ref e);
        if (off >= 0 && off < (nint)_l1.Entries.Length * Unsafe.SizeOf<Entry>())
        {
            index = (int)(off / Unsafe.SizeOf<Entry>());
            return _l1;
        }
        off = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_l2!.Entries), ref e);
        index = (int)(off / Unsafe.SizeOf<Entry>());
        return _l2;
    }

    public void FlushAll()
    {
        Clear(_l1);
        if (_l2 is not null) Clear(_l2);
        Flushes++;
    }

    private static void Clear(Level l)
    {
        for (int i = 0; i < l.Entries.Length; i++) l.Entries[i].Vpn = -1;
        Array.Fill(l.Tags, -1);
        if (l.Ages is { } ages) Array.Fill(ages, l.FreshAges());
        else Array.Clear(l.Used!);
    }

    public void FlushPage(long vpn)
    {
        Invalidate(_l1, vpn);
        if (_l2 is not null) Invalidate(_l2, vpn);
    }

    /// <summary>Invalidates the entry and makes it the set's next victim (the older ways move up by one).</summary>
    private static void Invalidate(Level l, long vpn)
    {
        int set = (int)(vpn & l.SetMask);
        int b = set << l.WaysShift;
        for (int w = 0; w < l.Ways; w++)
        {
            if (l.Entries[b + w].Vpn != vpn) continue;
            l.Entries[b + w].Vpn = -1;
            l.Tags[b + w] = -1;
            if (l.Used is { } used) { used[b + w] = 0; continue; }
            if (l.Ways == 1) continue;
            ulong ages = l.Ages![set], a = (ages >> (w << 3)) & 0xFF, result = 0;
            for (int v = 0; v < l.Ways; v++)
            {
                ulong age = (ages >> (v << 3)) & 0xFF;
                ulong now = v == w ? (ulong)(l.Ways - 1) : age > a ? age - 1 : age;
                result |= now << (v << 3);
            }
            l.Ages[set] = result;
        }
    }
}
