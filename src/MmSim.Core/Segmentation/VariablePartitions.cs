namespace MmSim.Segmentation;

/// <summary>A free range of a <see cref="VariablePartitions"/> memory.</summary>
public readonly record struct Hole(long Base, long Size)
{
    public long End => Base + Size;
}

/// <summary>An allocated range.</summary>
public sealed record Partition(string Name, long Base, long Size)
{
    public long End => Base + Size;
}

/// <summary>External fragmentation: the free memory, the largest hole (the largest request that can succeed),
/// and how many pieces the free memory is in.</summary>
public readonly record struct FragmentationStats(long FreeBytes, long LargestHole, int Holes);

/// <summary>
/// Variable-partition (contiguous) allocation over a memory of a given size: each request is placed at the start
/// of a hole chosen by the <see cref="FitPolicy"/>; freeing merges a range with neighbouring holes; compaction
/// slides every partition down, in address order, leaving one hole at the top.
/// </summary>
public sealed class VariablePartitions
{
    private readonly List<Partition> _parts = []; // sorted by base
    private long _rover; // next fit: where the last allocation ended

    public long Size { get; }
    public FitPolicy Policy { get; }

    public VariablePartitions(long size, FitPolicy policy)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        Size = size;
        Policy = policy;
    }

    public IReadOnlyList<Partition> Partitions => _parts;

    /// <summary>The holes in address order.</summary>
    public IReadOnlyList<Hole> Holes
    {
        get
        {
            var holes = new List<Hole>();
            long at = 0;
            foreach (var p in _parts)
            {
                if (p.Base > at) holes.Add(new Hole(at, p.Base - at));
                at = p.End;
            }
            if (at < Size) holes.Add(new Hole(at, Size - at));
            return holes;
        }
    }

    public FragmentationStats Fragmentation
    {
        get
        {
            var h = Holes;
            return new FragmentationStats(h.Sum(x => x.Size), h.Count == 0 ? 0 : h.Max(x => x.Size), h.Count);
        }
    }

    /// <summary>Places <paramref name="size"/> bytes; returns the base, or null when no hole is big enough (even if
    /// the free memory in total is: external fragmentation).</summary>
    public long? Allocate(string name, long size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        if (_parts.Any(p => p.Name == name)) throw new ArgumentException($"'{name}' is already allocated");
        var holes = Holes;
        Hole? chosen = Policy switch
        {
            FitPolicy.FirstFit => First(holes, size, 0),
            FitPolicy.NextFit => NextFit(holes, size),
            FitPolicy.BestFit => Pick(holes, size, smallest: true),
            _ => Pick(holes, size, smallest: false),
        };
        if (chosen is not Hole hole) return null;
        var part = new Partition(name, hole.Base, size);
        int i = _parts.FindIndex(p => p.Base > hole.Base);
        _parts.Insert(i < 0 ? _parts.Count : i, part);
        _rover = part.End;
        return part.Base;
    }

    /// <summary>Places <paramref name="size"/> bytes at exactly <paramref name="at"/> (a pinned segment); false when
    /// that range is not inside one hole.</summary>
    public bool AllocateAt(string name, long at, long size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        if (_parts.Any(p => p.Name == name)) throw new ArgumentException($"'{name}' is already allocated");
        foreach (var h in Holes)
        {
            if (at < h.Base || at + size > h.End) continue;
            int i = _parts.FindIndex(p => p.Base > at);
            _parts.Insert(i < 0 ? _parts.Count : i, new Partition(name, at, size));
            return true;
        }
        return false;
    }

    /// <summary>The policy's name as the textbook writes it: "first fit".</summary>
    public static string Name(FitPolicy policy) => policy switch
    {
        FitPolicy.FirstFit => "first fit",
        FitPolicy.NextFit => "next fit",
        FitPolicy.BestFit => "best fit",
        _ => "worst fit",
    };

    private static Hole? First(IReadOnlyList<Hole> holes, long size, int from)
    {
        for (int k = 0; k < holes.Count; k++)
        {
            var h = holes[(from + k) % holes.Count];
            if (h.Size >= size) return h;
        }
        return null;
    }

    /// <summary>Starts at the hole that contains the rover (or the first one after it) and wraps around.</summary>
    private Hole? NextFit(IReadOnlyList<Hole> holes, long size)
    {
        int from = 0;
        while (from < holes.Count && holes[from].End <= _rover) from++;
        return holes.Count == 0 ? null : First(holes, size, from % holes.Count);
    }

    private static Hole? Pick(IReadOnlyList<Hole> holes, long size, bool smallest)
    {
        Hole? best = null;
        foreach (var h in holes)
        {
            if (h.Size < size) continue;
            if (best is null || (smallest ? h.Size < best.Value.Size : h.Size > best.Value.Size)) best = h;
        }
        return best;
    }

    public void Free(string name)
    {
        int i = _parts.FindIndex(p => p.Name == name);
        if (i < 0) throw new ArgumentException($"'{name}' is not allocated");
        _parts.RemoveAt(i);
    }

    /// <summary>Slides every partition down to the lowest address, keeping their order; returns the bytes moved
    /// (the cost of compaction). The rover moves to the end of the last partition.</summary>
    public long Compact()
    {
        long at = 0, moved = 0;
        for (int i = 0; i < _parts.Count; i++)
        {
            var p = _parts[i];
            if (p.Base != at)
            {
                moved += p.Size;
                _parts[i] = p with { Base = at };
            }
            at += p.Size;
        }
        _rover = at;
        return moved;
    }

    public Partition? Find(string name) => _parts.Find(p => p.Name == name);
}
