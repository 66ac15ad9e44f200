using System.Runtime.CompilerServices;

namespace MmSim.Replay;

/// <summary>A list node: the page number and the links of the intrusive doubly-linked list it is on (-1 = none).
/// 16 bytes.</summary>
internal struct Node
{
    public long Key;
    public int Prev; // towards the head (newer)
    public int Next; // towards the tail (older)
}

/// <summary>Head (newest), tail (oldest) and length of one intrusive list over a <see cref="Node"/> array.</summary>
internal struct DList
{
    public int Head;
    public int Tail;
    public int Count;

    public static DList Empty => new() { Head = -1, Tail = -1, Count = 0 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushHead(Node[] n, int i)
    {
        n[i].Prev = -1;
        n[i].Next = Head;
        if (Head >= 0) n[Head].Prev = i; else Tail = i;
        Head = i;
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushTail(Node[] n, int i)
    {
        n[i].Next = -1;
        n[i].Prev = Tail;
        if (Tail >= 0) n[Tail].Next = i; else Head = i;
        Tail = i;
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Remove(Node[] n, int i)
    {
        int p = n[i].Prev, x = n[i].Next;
        if (p >= 0) n[p].Next = x; else Head = x;
        if (x >= 0) n[x].Prev = p; else Tail = p;
        Count--;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MoveToHead(Node[] n, int i)
    {
        if (Head == i) return;
        int p = n[i].Prev, x = n[i].Next;
        n[p].Next = x; // p >= 0 since i is not the head
        if (x >= 0) n[x].Prev = p; else Tail = p;
        n[i].Prev = -1;
        n[i].Next = Head;
        n[Head].Prev = i;
        Head = i;
    }

    /// <summary>Removes and returns the tail (-1 when empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PopTail(Node[] n)
    {
        int t = Tail;
        if (t >= 0) Remove(n, t);
        return t;
    }

    public void AppendKeys(Node[] n, List<long> into)
    {
        for (int i = Head; i >= 0; i = n[i].Next) into.Add(n[i].Key);
    }
}

/// <summary>A stack of free node indices for policies whose node count varies (ghost entries).</summary>
internal sealed class FreeList
{
    private readonly int[] _free;
    private int _top;
    private int _nextNew;

    public FreeList(int capacity) { _free = new int[capacity]; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Take() => _top > 0 ? _free[--_top] : _nextNew++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Give(int i) => _free[_top++] = i;

    public long Bytes => _free.Length * 4L;
}
