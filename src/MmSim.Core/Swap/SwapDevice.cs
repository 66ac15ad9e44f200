using System.Runtime.CompilerServices;
namespace MmSim.Swap;

/// <summary>
/// A swap area (mm/swapfile.c): slot 0 holds the header, as mkswap lays it out, so a swap of N pages offers
/// N − 1 slots (SwapTotal). <c>swap_map</c> counts the page-table entries that refer to each slot, with
/// SWAP_HAS_CACHE kept apart; a slot is free when both are gone. The swap cache maps a slot to the frame holding
/// it. What was written to a slot is kept, so a page read back can be checked against what was swapped out.
/// </summary>
public sealed class SwapDevice
{
    public long TotalSlots { get; }
    public long FreeSlots { get; private set; }
    /// <summary>
    /// Everything about one slot in 16 bytes (a swap-in touches all of it: one cache line, four slots to a line).
    /// As in the kernel: the reference count and SWAP_HAS_CACHE share one word (swap_map), and the swap cache's
    /// entry for the slot holds either the page (the folio) or, once it is reclaimed, the workingset shadow.
    /// </summary>
    private struct Slot
    {
        /// <summary>0: nothing; &gt; 0: a shadow (always ≥ 2, <see cref="Reclaim.Workingset.Eviction"/>); &lt; 0: ~pfn of
        /// the page in the swap cache.</summary>
        public long Entry;
        /// <summary>The page-table entries referring to the slot, plus <see cref="HasCacheBit"/>.</summary>
        public int Map;
        public int Content;

        public const int HasCacheBit = 1 << 30; // SWAP_HAS_CACHE
        public readonly int Count => Map & ~HasCacheBit;
        public readonly bool HasCache => (Map & HasCacheBit) != 0;
    }

    private readonly Slot[] _slots;
    /// <summary>One bit per slot: in use (referenced or cached). Slot 0, the header, is always set.</summary>
    private readonly ulong[] _used;
    private int _cursor = 1;

    public SwapDevice(long pages)
    {
        if (pages > int.MaxValue) throw new InputException("machine", 0, "swap is too large for the model (at most 2^31 pages)");
        long n = Math.Max(0, pages);
        _slots = Physical.HostHugePages.Allocate<Slot>((int)n);
        _slots.AsSpan().Clear();
        _used = new ulong[(n + 63) / 64];
        if (n > 0) _used[0] |= 1;
        // Bits past the end count as used so the search never returns them.
        for (long i = n; i < _used.Length * 64L; i++) _used[i >> 6] |= 1UL << (int)(i & 63);
        TotalSlots = Math.Max(0, n - 1);
        FreeSlots = TotalSlots;
    }

    public bool Enabled => TotalSlots > 0;
    public long UsedSlots => TotalSlots - FreeSlots;

    /// <summary>vm_swap_full: more than half of swap in use.</summary>
    public bool IsFull => FreeSlots * 2 < TotalSlots;

    /// <summary>get_swap_pages: a free slot for a page entering the swap cache (SWAP_HAS_CACHE set), or -1.
    /// Slots are handed out in order from a cursor, as the cluster allocator does for sequential writes.</summary>
    public int Allocate()
    {
        if (FreeSlots == 0) return -1;
        int words = _used.Length;
        int w = _cursor >> 6;
        // Next fit from the cursor, a word of 64 slots at a time; the first word is masked below the cursor.
        ulong first = _used[w] | ((1UL << (_cursor & 63)) - 1);
        for (int i = 0; i <= words; i++)
        {
            ulong word = i == 0 ? first : _used[w];
            if (word != ulong.MaxValue)
            {
                int s = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(~word);
                ref var e = ref _slots[s];
                e.Map |= Slot.HasCacheBit;
                e.Entry = 0;
                _used[w] |= 1UL << (s & 63);
                FreeSlots--;
                _cursor = s + 1 >= _slots.Length ? 1 : s + 1;
                return s;
            }
            w = w + 1 == words ? 0 : w + 1;
        }
        return -1;
    }

    /// <summary>Asks the CPU for a slot's cache line ahead of its use (no effect on the simulation).</summary>
    public unsafe void Prefetch(int slot)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && (uint)slot < (uint)_slots.Length)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref _slots[slot]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Count(int slot) => _slots[slot].Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool HasCache(int slot) => _slots[slot].HasCache;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool InUse(int slot) => _slots[slot].Map != 0;

    /// <summary>swapin_readahead_hits: read-ahead pages that were used, since the last swap-in decided a window.</summary>
    public int ReadaheadHits;
    /// <summary>The state of swapin_nr_pages: the previous offset and window.</summary>
    public int PrevOffset, LastReadaheadPages;

    /// <summary>swap_duplicate: one more page-table entry refers to the slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Dup(int slot) => _slots[slot].Map++;

    /// <summary>swap_free: one page-table entry less; the slot is freed when nothing refers to it.</summary>
    public void Put(int slot)
    {
        if (_slots[slot].Count <= 0) throw new InvalidOperationException($"swap slot {slot}: reference count underflow");
        _slots[slot].Map--;
        MaybeFree(slot);
    }

    /// <summary>The frame holding the slot's page in the swap cache, −1 if none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int CachePfn(int slot)
    {
        long e = _slots[slot].Entry;
        return e < 0 ? (int)~e : -1;
    }

    /// <summary>The page <paramref name="pfn"/> enters the swap cache for the slot, replacing any shadow (read it
    /// first: add_to_swap_cache hands the shadow it replaces to workingset_refault).</summary>
    public void SetCache(int slot, int pfn)
    {
        ref var e = ref _slots[slot];
        e.Entry = ~(long)pfn;
        e.Map |= Slot.HasCacheBit;
    }

    /// <summary>The page left the swap cache (SWAP_HAS_CACHE cleared, a shadow put in its place stays); the slot
    /// is freed if no PTE refers to it.</summary>
    public void DropCache(int slot)
    {
        ref var e = ref _slots[slot];
        if (e.Entry < 0) e.Entry = 0;
        e.Map &= ~Slot.HasCacheBit;
        MaybeFree(slot);
    }

    private void MaybeFree(int slot)
    {
        ref var e = ref _slots[slot];
        if (e.Map == 0 && (_used[slot >> 6] & (1UL << (slot & 63))) != 0)
        {
            FreeSlots++;
            e.Entry = 0;
            SlotFreed?.Invoke(slot); // memcg issue: the swap charge goes
            _used[slot >> 6] &= ~(1UL << (slot & 63));
        }
    }

    /// <summary>Called when a slot becomes free (set when the scenario has cgroups).</summary>
    public Action<int>? SlotFreed;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write(int slot, int content) => _slots[slot].Content = content;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Read(int slot) => _slots[slot].Content;

    /// <summary>The workingset shadow entry left in the swap cache slot when its page was reclaimed (0 = none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public long Shadow(int slot)
    {
        long e = _slots[slot].Entry;
        return e > 0 ? e : 0;
    }

    /// <summary>__delete_from_swap_cache: the shadow takes the place of the page in the swap cache's entry
    /// (<paramref name="shadow"/> ≥ 2, or 0 for none).</summary>
    public void SetShadow(int slot, long shadow) => _slots[slot].Entry = shadow;
}
