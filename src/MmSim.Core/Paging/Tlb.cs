namespace MmSim.Paging;

/// <summary>
/// A direct-mapped translation lookaside buffer: entry <c>vpn mod N</c> caches one leaf PTE and where it lives,
/// so a write hit can set the dirty bit in the page table as the CPU does. Flushed on a context switch (no PCID)
/// and on any change to a mapping (the kernel's flush_tlb_page / flush_tlb_mm).
/// </summary>
public sealed class Tlb
{
    public struct Entry
    {
        public long Vpn;    // -1 = invalid
        public ulong Pte;
        public int Table;   // pool id of the PTE table holding the entry
        public int Slot;    // index in that table
    }

    private readonly Entry[] _entries;
    private readonly long _mask;
    public long Hits;
    public long Misses;
    public long Flushes;

    public Tlb(int entries)
    {
        if (entries < 1 || (entries & (entries - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(entries), "TLB entries must be a power of two");
        _entries = new Entry[entries];
        _mask = entries - 1;
        FlushAll();
    }

    public int Capacity => _entries.Length;

    public ref Entry Lookup(long vpn) => ref _entries[vpn & _mask];

    public void FlushAll()
    {
        for (int i = 0; i < _entries.Length; i++) _entries[i].Vpn = -1;
        Flushes++;
    }

    public void FlushPage(long vpn)
    {
        ref var e = ref _entries[vpn & _mask];
        if (e.Vpn == vpn) e.Vpn = -1;
    }
}
