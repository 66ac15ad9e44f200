using System.Runtime.CompilerServices;

namespace MmSim.Physical;

/// <summary>
/// The binary buddy allocator's free-list operations on one zone (mm/page_alloc.c): <c>__rmqueue_smallest</c>,
/// <c>expand</c>, <c>__free_one_page</c>. Simplifications: no migratetypes, no per-cpu lists, no free-page
/// shuffling; blocks are taken from and returned to the head of their order's list.
/// A free block's head frame has <see cref="FrameFlags.Buddy"/> and the order in bits 24..27; its other frames
/// have no flags. Free frames have Owner −1, buddy links −1 (except the head's list links) and all else zero.
/// </summary>
public static class Buddy
{
    /// <summary>MAX_ORDER as in 6.1 (largest block order, 4 MiB at 4 KiB pages); orders 0..10.</summary>
    public const int MaxOrder = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddToFreeList(Frame[] frames, Zone zone, int pfn, int order)
    {
        ref Frame f = ref frames[pfn];
        int head = zone.FreeHead[order];
        f.Flags = FrameBits.BuddyHeadFlags(order);
        f.BuddyPrev = -1;
        f.BuddyNext = head;
        if (head >= 0) frames[head].BuddyPrev = pfn;
        zone.FreeHead[order] = pfn;
        zone.FreeBlocks[order]++;
    }

    /// <summary><c>del_page_from_free_list</c>: unlink and clear PageBuddy (the frame becomes a plain free frame).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void DelFromFreeList(Frame[] frames, Zone zone, int pfn, int order)
    {
        ref Frame f = ref frames[pfn];
        if (f.BuddyPrev >= 0) frames[f.BuddyPrev].BuddyNext = f.BuddyNext;
        else zone.FreeHead[order] = f.BuddyNext;
        if (f.BuddyNext >= 0) frames[f.BuddyNext].BuddyPrev = f.BuddyPrev;
        f.Flags = 0;
        f.BuddyPrev = -1;
        f.BuddyNext = -1;
        zone.FreeBlocks[order]--;
    }

    /// <summary>
    /// <c>__rmqueue_smallest</c>: take the first block of the smallest order ≥ <paramref name="order"/>, split it
    /// with <see cref="Expand"/>, and return the head pfn (the frames are still in the free state), or −1.
    /// Updates the zone's free page count.
    /// </summary>
    internal static int RmqueueSmallest(Frame[] frames, Zone zone, int order)
    {
        for (int current = order; current <= MaxOrder; current++)
        {
            int pfn = zone.FreeHead[current];
            if (pfn < 0) continue;
            DelFromFreeList(frames, zone, pfn, current);
            Expand(frames, zone, pfn, order, current);
            zone.FreePages -= 1L << order;
            PrefetchHead(frames, zone.FreeHead[order]);
            return pfn;
        }
        return -1;
    }

    /// <summary>The next allocation of this order takes the new head of the list: bring its frame (and links) in
    /// now (no effect on the simulation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchHead(Frame[] frames, int pfn)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)pfn >= (uint)frames.Length) return;
        System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref frames[pfn]));
    }

    /// <summary><c>expand</c>: give the upper halves of a block of order <paramref name="high"/> back to the free lists
    /// until a block of order <paramref name="low"/> remains at <paramref name="pfn"/>.</summary>
    internal static void Expand(Frame[] frames, Zone zone, int pfn, int low, int high)
    {
        int size = 1 << high;
        while (high > low)
        {
            high--;
            size >>= 1;
            AddToFreeList(frames, zone, pfn + size, high);
        }
    }

    /// <summary>
    /// <c>__free_one_page</c>: merge the freed block with its buddy while the buddy is a free block of the same order
    /// in the same zone, then put the result on its free list. The frames must already be in the free state.
    /// </summary>
    internal static void FreeOnePage(Frame[] frames, Zone zone, int pfn, int order)
    {
        zone.FreePages += 1L << order;
        long lo = zone.StartPfn, hi = zone.EndPfn;
        while (order < MaxOrder)
        {
            int buddy = pfn ^ (1 << order);
            if (buddy < lo || buddy >= hi) break;
            ref Frame b = ref frames[buddy];
            if (b.Flags != FrameBits.BuddyHeadFlags(order)) break; // page_is_buddy()
            DelFromFreeList(frames, zone, buddy, order);
            pfn &= buddy;
            order++;
        }
        AddToFreeList(frames, zone, pfn, order);
    }
}
