using System.Runtime.InteropServices;

namespace MmSim.Physical;

/// <summary>
/// Per-frame metadata, the simulator's <c>struct page</c> (include/linux/mm_types.h), kept to 32 bytes
/// (the kernel's is 64; 32 so that no frame straddles two cache lines). One array of these is the frame table;
/// everything refers to frames by index (pfn). As in the kernel, where a free page's <c>buddy_list</c> shares its
/// words with the <c>lru</c> of a page in use, a free frame's buddy links (<see cref="BuddyPrev"/>,
/// <see cref="BuddyNext"/>) share theirs with <see cref="PteHint"/> and <see cref="LruSlot"/>: freeing a page
/// writes only its own frame, which reclaim has just read, instead of a line of a separate links table.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct Frame
{
    /// <summary><see cref="FrameFlags"/> bits, plus the buddy order (bits 24..27) when free.</summary>
    [FieldOffset(0)] public uint Flags;
    /// <summary>Owner: an address-space id for anonymous pages, a file id for page cache, a table id for page
    /// tables, -1 when free or reserved.</summary>
    [FieldOffset(4)] public int Owner;
    /// <summary>Anonymous: the virtual page number; page cache: the page index in the file.</summary>
    [FieldOffset(8)] public long Index;
    /// <summary>Number of page-table entries mapping this frame (the kernel's <c>_mapcount + 1</c>).</summary>
    [FieldOffset(16)] public int MapCount;
    /// <summary>What was last written to the page (a content token), so tests can check nothing is lost.</summary>
    [FieldOffset(20)] public int Content;
    /// <summary>Where the fault handler last set a PTE to this anonymous page (the entry's index in the flat
    /// page-table pool, <see cref="Paging.PageTablePool.FlatIndex"/>): a hint for prefetching the PTE ahead of the
    /// rmap walk, never used to find or change a mapping.</summary>
    [FieldOffset(24)] public int PteHint;
    /// <summary>On an LRU list (PG_lru): the page's slot in its list's array (<see cref="Reclaim.LruLists"/>), kept
    /// in the frame that every list operation reads anyway, so that moving a page costs one cache line, not two.</summary>
    [FieldOffset(28)] public int LruSlot;

    /// <summary>Free (in the buddy allocator): the previous frame on its free list, −1 = none. Shares its word with
    /// <see cref="PteHint"/>, which only a page in use has.</summary>
    [FieldOffset(24)] public int BuddyPrev;
    /// <summary>Free: the next frame on its free list, −1 = none. Shares its word with <see cref="LruSlot"/>.</summary>
    [FieldOffset(28)] public int BuddyNext;
}

[Flags]
public enum FrameFlags : uint
{
    None = 0,
    /// <summary>Free and the head of a buddy block (PageBuddy); the order is in bits 24..27.</summary>
    Buddy = 1u << 0,
    /// <summary>Held back at boot (firmware, kernel image, the struct page array): never allocatable.</summary>
    Reserved = 1u << 1,
    /// <summary>Allocated (not free, not reserved).</summary>
    Allocated = 1u << 2,
    Anon = 1u << 3,
    /// <summary>In the page cache (PG_mapping set to a file).</summary>
    File = 1u << 4,
    /// <summary>A page-table page.</summary>
    PageTable = 1u << 5,
    /// <summary>PG_lru: on one of the LRU lists (which one is in bits 8..10).</summary>
    Lru = 1u << 6,
    Active = 1u << 7,
    Referenced = 1u << 11,
    Dirty = 1u << 12,
    Writeback = 1u << 13,
    SwapCache = 1u << 14,
    Unevictable = 1u << 15,
    Mlocked = 1u << 16,
    Workingset = 1u << 17,
    Uptodate = 1u << 18,
    Reclaim = 1u << 19,
    SwapBacked = 1u << 20,
    /// <summary>With <see cref="Reserved"/>: the frame is a hole (not present RAM: firmware, legacy BIOS/VGA area).
    /// Set by the physical memory layer at boot only.</summary>
    NotPresent = 1u << 21,
    /// <summary>PG_readahead: the page whose access triggers the next asynchronous read-ahead.</summary>
    Readahead = 1u << 22,
}
