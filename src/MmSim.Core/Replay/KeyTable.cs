using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Replay;

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct KeyEntry
{
    public long Key;
    /// <summary>The mapped value (a node or slot index), or -1 when the bucket is empty.</summary>
    public int Value;
}

/// <summary>
/// Open-addressing hash table from a page number (any 64-bit key) to a non-negative int, with linear probing,
/// Fibonacci hashing and backward-shift deletion (no tombstones). 12 bytes a bucket, load at most 2/3.
/// Sized up front for a known maximum; <see cref="InsertGrow"/> grows it (used by the trace pre-pass).
/// </summary>
internal sealed class KeyTable
{
    private KeyEntry[] _e;
    private int _mask;
    private int _shift;
    public int Count;

    public KeyTable(int maxEntries)
    {
        Allocate(CapacityFor(maxEntries));
    }

    public long Bytes => (long)_e.Length * Unsafe.SizeOf<KeyEntry>();

    private static int CapacityFor(int maxEntries)
    {
        long want = Math.Max(8L, (long)maxEntries * 3 / 2 + 1);
        int cap = 8;
        while (cap < want) cap <<= 1;
        return cap;
    }

    [MemberNotNull(nameof(_e))]
    private void Allocate(int cap)
    {
        _e = new KeyEntry[cap];
        _e.AsSpan().Fill(new KeyEntry { Key = 0, Value = -1 });
        _mask = cap - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)cap);
        Count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Hash(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>How many keys ahead the policies' loops prefetch the home bucket of.</summary>
    public const int PrefetchDistance = 12;

    /// <summary>Asks the CPU to start loading <paramref name="key"/>'s home bucket (the batch loops call this a few
    /// keys ahead so the table's cache misses overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(long key)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(
                Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_e), Hash(key))));
    }

    /// <summary>The value for <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(long key)
    {
        ref KeyEntry e0 = ref MemoryMarshal.GetArrayDataReference(_e);
        int mask = _mask;
        int i = Hash(key);
        while (true)
        {
            ref KeyEntry e = ref Unsafe.Add(ref e0, i);
            if (e.Value < 0) return -1;
            if (e.Key == key) return e.Value;
            i = (i + 1) & mask;
        }
    }

    /// <summary>
    /// Finds <paramref name="key"/>: when present returns a reference to its value with <paramref name="found"/>
    /// set; otherwise adds it (value 0) where the search stopped and returns a reference to the new value, which the
    /// caller must set before the next change to the table (a later <see cref="Remove"/> of another key may move
    /// the entry, value included). One probe sequence for a hit, one for a miss. The table must have room for one
    /// more key than the policy keeps, which <see cref="CapacityFor"/> guarantees.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref int FindOrAdd(long key, out bool found)
    {
        ref KeyEntry e0 = ref MemoryMarshal.GetArrayDataReference(_e);
        int mask = _mask;
        int i = Hash(key);
        while (true)
        {
            ref KeyEntry e = ref Unsafe.Add(ref e0, i);
            if (e.Value < 0)
            {
                e.Key = key;
                e.Value = 0;
                Count++;
                found = false;
                return ref e.Value;
            }
            if (e.Key == key)
            {
                found = true;
                return ref e.Value;
            }
            i = (i + 1) & mask;
        }
    }

    /// <summary>Inserts a key known to be absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Insert(long key, int value)
    {
        ref KeyEntry e0 = ref MemoryMarshal.GetArrayDataReference(_e);
        int mask = _mask;
        int i = Hash(key);
        while (Unsafe.Add(ref e0, i).Value >= 0) i = (i + 1) & mask;
        ref KeyEntry e = ref Unsafe.Add(ref e0, i);
        e.Key = key;
        e.Value = value;
        Count++;
    }

    /// <summary>Changes the value of a key known to be present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(long key, int value)
    {
        ref KeyEntry e0 = ref MemoryMarshal.GetArrayDataReference(_e);
        int mask = _mask;
        int i = Hash(key);
        while (Unsafe.Add(ref e0, i).Key != key || Unsafe.Add(ref e0, i).Value < 0) i = (i + 1) & mask;
        Unsafe.Add(ref e0, i).Value = value;
    }

    /// <summary>Finds <paramref name="key"/>; if absent inserts it with <paramref name="value"/> (growing when
    /// needed) and returns -1.</summary>
    public int FindOrInsertGrow(long key, int value)
    {
        int mask = _mask;
        int i = Hash(key);
        var e = _e;
        while (true)
        {
            if (e[i].Value < 0) break;
            if (e[i].Key == key) return e[i].Value;
            i = (i + 1) & mask;
        }
        e[i].Key = key;
        e[i].Value = value;
        Count++;
        if (Count * 3 > _e.Length * 2) Grow();
        return -1;
    }

    private void Grow()
    {
        var old = _e;
        Allocate(old.Length * 2);
        foreach (ref readonly var x in old.AsSpan())
            if (x.Value >= 0) Insert(x.Key, x.Value);
    }

    /// <summary>Removes <paramref name="key"/> if present (backward-shift deletion).</summary>
    public bool Remove(long key)
    {
        ref KeyEntry e0 = ref MemoryMarshal.GetArrayDataReference(_e);
        int mask = _mask;
        int i = Hash(key);
        while (true)
        {
            ref KeyEntry e = ref Unsafe.Add(ref e0, i);
            if (e.Value < 0) return false;
            if (e.Key == key) break;
            i = (i + 1) & mask;
        }
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            ref KeyEntry ej = ref Unsafe.Add(ref e0, j);
            if (ej.Value < 0) break;
            int k = Hash(ej.Key);
            // Move ej back to the hole at i unless its home k lies cyclically in (i, j].
            bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (stays) continue;
            Unsafe.Add(ref e0, i) = ej;
            i = j;
        }
        Unsafe.Add(ref e0, i).Value = -1;
        Count--;
        return true;
    }

    public void Clear()
    {
        _e.AsSpan().Fill(new KeyEntry { Key = 0, Value = -1 });
        Count = 0;
    }
}
