namespace MmSim.Physical;

public sealed partial class PhysicalMemory
{
    /// <summary>
    /// Check the frame table against the zones and throw <see cref="InvalidOperationException"/> naming the first
    /// violation: every frame is reserved, allocated, or in exactly one free buddy block (aligned, inside one zone,
    /// its head on the free list of its order, fully merged with its buddy); free lists are well linked; per-zone
    /// free counts and <see cref="Zone.FreeBlocks"/> add up; allocated + free = managed in every zone.
    /// O(frames); for tests and debugging.
    /// </summary>
    public void CheckInvariants()
    {
        var frames = Frames;
        int n = frames.Length;
        var freePages = new long[ZoneTypes.Count];
        var usable = new long[ZoneTypes.Count];
        var heads = new long[ZoneTypes.Count, Zone.NrOrders];
        int pfn = 0;
        while (pfn < n)
        {
            ref Frame f = ref frames[pfn];
            uint fl = f.Flags;
            if ((fl & (uint)FrameFlags.Reserved) != 0)
            {
                if ((fl & (uint)(FrameFlags.Allocated | FrameFlags.Buddy)) != 0)
                    Fail($"frame {pfn} is reserved and also allocated or free (flags 0x{fl:x})");
                pfn++;
                continue;
            }
            Zone z = ZoneOf(pfn);
            if (pfn < z.StartPfn || pfn >= z.EndPfn) Fail($"frame {pfn} is usable but outside zone {z.Name}'s span");
            usable[(int)z.Type]++;
            if ((fl & (uint)FrameFlags.Allocated) != 0)
            {
                if ((fl & (uint)FrameFlags.Buddy) != 0) Fail($"frame {pfn} is allocated and a free block head");
                pfn++;
                continue;
            }
            if ((fl & (uint)FrameFlags.Buddy) == 0)
                Fail($"frame {pfn} is neither reserved, allocated nor in a free block (flags 0x{fl:x})");
            if ((fl & ~(FrameBits.OrderMask | (uint)FrameFlags.Buddy)) != 0)
                Fail($"free block head {pfn} has other flags (0x{fl:x})");
            int order = f.BuddyOrder();
            if (order > Buddy.MaxOrder) Fail($"free block at {pfn} has order {order} > {Buddy.MaxOrder}");
            if ((pfn & ((1 << order) - 1)) != 0) Fail($"free block at {pfn} of order {order} is not aligned");
            int end = pfn + (1 << order);
            if (end > z.EndPfn) Fail($"free block at {pfn} of order {order} crosses the end of zone {z.Name}");
            if (f.Owner != -1 || f.MapCount != 0) Fail($"free block head {pfn} has an owner or mappings");
            for (int p = pfn + 1; p < end; p++)
                if (frames[p].Flags != 0 || frames[p].Owner != -1 || frames[p].BuddyPrev != -1 || frames[p].BuddyNext != -1 || frames[p].Index != 0 || frames[p].MapCount != 0 || frames[p].Content != 0)
                    Fail($"frame {p} inside the free block at {pfn} (order {order}) is not a plain free frame (flags 0x{frames[p].Flags:x})");
            if (order < Buddy.MaxOrder)
            {
                int buddy = pfn ^ (1 << order);
                if (buddy >= z.StartPfn && buddy < z.EndPfn && frames[buddy].Flags == FrameBits.BuddyHeadFlags(order))
                    Fail($"free blocks at {pfn} and {buddy} of order {order} are buddies but not merged");
            }
            freePages[(int)z.Type] += 1L << order;
            heads[(int)z.Type, order]++;
            usable[(int)z.Type] += (1 << order) - 1;
            pfn = end;
        }

        foreach (var z in _zones)
        {
            int t = (int)z.Type;
            long listed = 0;
            for (int o = 0; o <= Buddy.MaxOrder; o++)
            {
                long count = 0;
                int prev = -1;
                for (int cur = z.FreeHead[o]; cur >= 0; prev = cur, cur = frames[cur].BuddyNext)
                {
                    if (cur >= n) Fail($"zone {z.Name} order-{o} free list points past the frame table ({cur})");
                    if (frames[cur].Flags != FrameBits.BuddyHeadFlags(o))
                        Fail($"zone {z.Name} order-{o} free list holds frame {cur}, not a free head of that order (flags 0x{frames[cur].Flags:x})");
                    if (cur < z.StartPfn || cur >= z.EndPfn) Fail($"zone {z.Name} free list holds frame {cur} of another zone");
                    if (frames[cur].BuddyPrev != prev) Fail($"zone {z.Name} order-{o} free list: frame {cur} has BuddyPrev {frames[cur].BuddyPrev}, expected {prev}");
                    if (++count > heads[t, o]) Fail($"zone {z.Name} order-{o} free list is longer than its {heads[t, o]} free heads (cycle or duplicate)");
                }
                if (count != heads[t, o]) Fail($"zone {z.Name} order-{o}: {heads[t, o]} free heads but {count} on the free list");
                if (z.FreeBlocks[o] != count) Fail($"zone {z.Name} order-{o}: FreeBlocks {z.FreeBlocks[o]} but {count} on the free list");
                listed += count << o;
            }
            if (listed != z.FreePages || freePages[t] != z.FreePages)
                Fail($"zone {z.Name}: FreePages {z.FreePages}, free blocks hold {freePages[t]}, free lists hold {listed}");
            if (usable[t] != z.ManagedPages)
                Fail($"zone {z.Name}: {usable[t]} allocated or free frames but {z.ManagedPages} managed");
        }
    }

    private static void Fail(string message) => throw new InvalidOperationException(message);
}
