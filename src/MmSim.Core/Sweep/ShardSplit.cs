namespace MmSim.Sweep;

/// <summary>
/// Deterministic, cost-balanced assignment of cells to shards: longest processing time first (Graham 1969) —
/// cells sorted by cost, largest first, ties by cell index; each goes to the shard with the least cost so far,
/// ties to the lowest shard. Integer costs and total orders only, so the same cells and N give the same split on
/// any machine. LPT's makespan is at most 4/3 of the optimum.
/// </summary>
public static class ShardSplit
{
    /// <summary>shard[i] is the shard of cell i.</summary>
    public static int[] Assign(IReadOnlyList<SweepCell> cells, int shards)
    {
        if (shards < 1) throw new ArgumentOutOfRangeException(nameof(shards));
        var order = new int[cells.Count];
        var costs = new long[cells.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            costs[i] = cells[i].Cost;
        }
        Array.Sort(order, (a, b) => costs[a] != costs[b] ? costs[b].CompareTo(costs[a]) : a.CompareTo(b));
        var heap = new PriorityQueue<int, (long Load, int Shard)>(shards);
        for (int s = 0; s < shards; s++) heap.Enqueue(s, (0, s));
        var result = new int[cells.Count];
        foreach (int i in order)
        {
            heap.TryDequeue(out int s, out var key);
            result[i] = s;
            heap.Enqueue(s, (key.Load + costs[i], s));
        }
        return result;
    }

    /// <summary>The cells of shard <paramref name="shard"/>, in cell order.</summary>
    public static List<SweepCell> CellsOf(IReadOnlyList<SweepCell> cells, int[] assignment, int shard)
    {
        var list = new List<SweepCell>();
        for (int i = 0; i < cells.Count; i++)
            if (assignment[i] == shard) list.Add(cells[i]);
        return list;
    }

    /// <summary>Parses "I/N" (0-based I).</summary>
    public static (int Shard, int Shards) Parse(string text)
    {
        int slash = text.IndexOf('/');
        if (slash <= 0 || !int.TryParse(text[..slash], out int i) || !int.TryParse(text[(slash + 1)..], out int n))
            throw new InputException("--shard", 0, $"expected I/N (0-based shard I of N, e.g. 0/4) or auto, got '{text}'");
        return Check(i, n, "--shard");
    }

    public static (int Shard, int Shards) Check(int i, int n, string source)
    {
        if (n < 1) throw new InputException(source, 0, $"the number of shards must be at least 1, got {n}");
        if (i < 0 || i >= n) throw new InputException(source, 0, $"shard index {i} is out of range: expected 0..{n - 1} for {n} shards");
        return (i, n);
    }

    /// <summary><c>--shard auto</c>: the index from Slurm's SLURM_ARRAY_TASK_ID or Kubernetes'
    /// JOB_COMPLETION_INDEX; the count from <paramref name="shards"/> (--shards) or SLURM_ARRAY_TASK_COUNT.</summary>
    public static (int Shard, int Shards) Auto(int? shards, Func<string, string?> env)
    {
        string? slurmId = env("SLURM_ARRAY_TASK_ID");
        string? k8sIndex = env("JOB_COMPLETION_INDEX");
        string? idText = slurmId ?? k8sIndex;
        string idVar = slurmId is not null ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX";
        if (idText is null)
            throw new InputException("--shard auto", 0, "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set (not in a Slurm job array or Kubernetes Indexed Job); give --shard I/N");
        if (!int.TryParse(idText, out int i))
            throw new InputException("--shard auto", 0, $"{idVar}='{idText}' is not a number");
        int n;
        if (shards is int given) n = given;
        else if (slurmId is not null && env("SLURM_ARRAY_TASK_COUNT") is { } countText && int.TryParse(countText, out int c)) n = c;
        else throw new InputException("--shard auto", 0, $"{idVar} is set but the number of shards is not known; give --shards N");
        return Check(i, n, $"--shard auto ({idVar}={i})");
    }
}
