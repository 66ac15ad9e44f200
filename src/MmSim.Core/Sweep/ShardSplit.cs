namespace MmSim.Sweep;

/// <summary>
/// Deterministic, cost-balanced assignment of cells to shards: longest processing time first (Graham 1969) over
/// <em>chunks</em> — the cells of one trace, in cell order, cut into runs of at most the mean shard load, so that a
/// shard reads a trace once instead of every shard reading every trace (the cost that made N shards slower than
/// one process); a cell without a trace (a scenario cell) is a chunk of its own. Chunks sorted by cost, largest
/// first, ties by first cell index; each goes to the shard with the least cost so far, ties to the lowest shard.
/// Integer costs and total orders only, so the same cells and N give the same split on any machine.
/// </summary>
public static class ShardSplit
{
    /// <summary>shard[i] is the shard of cell i.</summary>
    public static int[] Assign(IReadOnlyList<SweepCell> cells, int shards)
    {
        if (shards < 1) throw new ArgumentOutOfRangeException(nameof(shards));
        var chunks = Chunks(cells, shards);
        chunks.Sort((a, b) => a.Cost != b.Cost ? b.Cost.CompareTo(a.Cost) : a.Cells[0].CompareTo(b.Cells[0]));
        var heap = new PriorityQueue<int, (long Load, int Shard)>(shards);
        for (int s = 0; s < shards; s++) heap.Enqueue(s, (0, s));
        var result = new int[cells.Count];
        foreach (var chunk in chunks)
        {
            heap.TryDequeue(out int s, out var key);
            foreach (int i in chunk.Cells) result[i] = s;
            heap.Enqueue(s, (key.Load + chunk.Cost, s));
        }
        return result;
    }

    private sealed record Chunk(List<int> Cells, long Cost);

    /// <summary>Each trace's cells (in cell order) cut greedily into chunks of at most ceil(total / shards), never
    /// less than one cell; cells without a trace alone.</summary>
    private static List<Chunk> Chunks(IReadOnlyList<SweepCell> cells, int shards)
    {
        long total = 0;
        foreach (var c in cells) total += c.Cost;
        long limit = Math.Max(1, (total + shards - 1) / shards);
        var chunks = new List<Chunk>();
        var open = new Dictionary<string, (List<int> Cells, long Cost)>();
        var order = new List<string>();
        for (int i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            if (c.Trace is null) { chunks.Add(new Chunk([i], c.Cost)); continue; }
            if (!open.TryGetValue(c.Trace, out var cur)) { cur = ([], 0); order.Add(c.Trace); }
            if (cur.Cells.Count > 0 && cur.Cost + c.Cost > limit)
            {
                chunks.Add(new Chunk(cur.Cells, cur.Cost));
                cur = ([], 0);
            }
            cur.Cells.Add(i);
            cur.Cost += c.Cost;
            open[c.Trace] = cur;
        }
        foreach (var t in order)
            if (open[t].Cells.Count > 0) chunks.Add(new Chunk(open[t].Cells, open[t].Cost));
        return chunks;
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
