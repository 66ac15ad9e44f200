namespace MmSim.Replay;

/// <summary>A trace loaded into memory: the page numbers in order, plus what the pre-passes derive from them
/// (distinct pages; each reference's next use, for OPT). Computed once, shared by every job.</summary>
public sealed class ReplayTrace
{
    private readonly long[] _keys;
    private int _distinct = -1;
    private int[]? _nextUse;
    private readonly object _lock = new();

    public ReplayTrace(string name, string format, long[] keys, int count)
    {
        Name = name;
        Format = format;
        _keys = keys;
        Count = count;
    }

    public static ReplayTrace FromKeys(string name, string format, ReadOnlySpan<long> keys) =>
        new(name, format, keys.ToArray(), keys.Length);

    public string Name { get; }
    public string Format { get; }
    public int Count { get; }
    public ReadOnlySpan<long> Keys => _keys.AsSpan(0, Count);
    public ReadOnlyMemory<long> KeysMemory => _keys.AsMemory(0, Count);

    /// <summary>Number of distinct page numbers.</summary>
    public int Distinct
    {
        get
        {
            if (_distinct < 0) ComputePrePass(withNextUse: false);
            return _distinct;
        }
    }

    /// <summary>For each position, the position of the next reference to the same page (int.MaxValue: none).</summary>
    public int[] NextUse
    {
        get
        {
            if (_nextUse == null) ComputePrePass(withNextUse: true);
            return _nextUse!;
        }
    }

    private void ComputePrePass(bool withNextUse)
    {
        lock (_lock)
        {
            if (withNextUse ? _nextUse != null : _distinct >= 0) return;
            var table = new KeyTable(1024);
            var keys = Keys;
            if (!withNextUse)
            {
                int d = 0;
                foreach (long k in keys)
                    if (table.FindOrInsertGrow(k, 0) < 0) d++;
                _distinct = d;
                return;
            }
            // Backwards: remember each page's last-seen (i.e. next) position.
            var next = new int[Count];
            var lastSeen = new List<int>(); // id -> position
            for (int i = Count - 1; i >= 0; i--)
            {
                int id = table.FindOrInsertGrow(keys[i], lastSeen.Count);
                if (id < 0)
                {
                    next[i] = int.MaxValue;
                    lastSeen.Add(i);
                }
                else
                {
                    next[i] = lastSeen[id];
                    lastSeen[id] = i;
                }
            }
            _distinct = lastSeen.Count;
            _nextUse = next;
        }
    }
}
