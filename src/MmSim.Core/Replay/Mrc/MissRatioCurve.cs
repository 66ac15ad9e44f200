using System.Globalization;

namespace MmSim.Replay;

/// <summary>
/// An LRU miss-ratio curve from stack distances (Mattson et al. 1970): one pass gives the LRU miss ratio at every
/// memory size, because LRU is a stack algorithm (a page hits in c frames iff its reuse distance is at most c).
/// <see cref="Exact"/> uses every reference; <see cref="Shards"/> uses SHARDS spatial sampling (Waldspurger et
/// al., FAST 2015): only pages whose hash falls under a threshold are tracked and distances are scaled by 1/rate.
/// </summary>
public sealed class MissRatioCurve
{
    private readonly long[] _cumHits; // _cumHits[c] = hits with c frames (c = 0.._cumHits.Length-1), in sampled units
    private readonly double _scale;   // distances are multiplied by this (1/rate)
    private readonly double _total;   // references counted (sampled units)

    private MissRatioCurve(string method, double rate, long sampled, long[] cumHits, double total, double? error)
    {
        SampledDistinct = cumHits.Length - 1;
        Method = method;
        SamplingRate = rate;
        SampledRequests = sampled;
        _cumHits = cumHits;
        _scale = 1 / rate;
        _total = total;
        ErrorEstimate = error;
    }

    /// <summary>"exact" or "shards".</summary>
    public string Method { get; }
    public double SamplingRate { get; }
    public long SampledRequests { get; }
    /// <summary>Distinct pages among the sampled references.</summary>
    public int SampledDistinct { get; }
    /// <summary>Distinct pages of the whole trace: exact for exact curves, SampledDistinct / rate for SHARDS.</summary>
    public long EstimatedDistinct => (long)Math.Round(SampledDistinct / SamplingRate);
    /// <summary>SHARDS: the standard deviation of the miss ratio across independent hash seeds, the largest over
    /// the sizes asked for (an estimate of the sampling error); null for exact curves.</summary>
    public double? ErrorEstimate { get; private set; }

    /// <summary>Largest size at which the curve still changes (all reuses hit).</summary>
    public int MaxUsefulFrames => (int)Math.Min(int.MaxValue, Math.Ceiling((_cumHits.Length - 1) * _scale));

    public string Description => Method == "exact"
        ? "exact LRU miss-ratio curve (stack distances, one pass):"
        : string.Create(CultureInfo.InvariantCulture,
            $"SHARDS LRU miss-ratio curve, sampling rate {SamplingRate:G4} ({SampledRequests:N0} sampled references), " +
            $"estimated error ±{ErrorEstimate:F4} (std. dev. across 4 hash seeds):");

    /// <summary>LRU miss ratio with <paramref name="frames"/> frames.</summary>
    public double MissRatio(int frames)
    {
        if (_total <= 0) return 0;
        long c = (long)Math.Floor(frames / _scale + 1e-9);
        if (c >= _cumHits.Length) c = _cumHits.Length - 1;
        if (c < 0) c = 0;
        return Math.Clamp(1 - _cumHits[c] / _total, 0, 1);
    }

    /// <summary>SHARDS scales a cache of <paramref name="frames"/> frames down to frames × rate sampled frames;
    /// below about 100 of them the estimate is biased (the SHARDS paper's observation), beyond what
    /// <see cref="ErrorEstimate"/> says. Exact curves are always reliable.</summary>
    public bool IsReliable(int frames) => Method == "exact" || frames * SamplingRate >= 100;

    /// <summary>Hits with <paramref name="frames"/> frames (exact curves only).</summary>
    public long Hits(int frames) => _cumHits[Math.Min(frames, _cumHits.Length - 1)];

    /// <summary>The sizes to print: the ones asked for, or (when none) a spread up to the useful maximum.</summary>
    public IReadOnlyList<int> SamplePoints(IReadOnlyList<int> asked)
    {
        var set = new SortedSet<int>(asked);
        int max = Math.Max(1, MaxUsefulFrames);
        for (int i = 1; i <= 10; i++) set.Add(Math.Max(1, (int)((long)max * i / 10)));
        return set.ToList();
    }

    /// <summary>Exact LRU stack distances of every reference.</summary>
    public static MissRatioCurve Exact(ReadOnlySpan<long> keys)
    {
        var hist = StackDistances(keys, out int distinct);
        return new MissRatioCurve("exact", 1, keys.Length, Cumulate(hist, distinct), keys.Length, null);
    }

    /// <summary>SHARDS with fixed rate <paramref name="rate"/>; the error estimate uses 4 seeds, the curve seed 0.</summary>
    public static MissRatioCurve Shards(ReadOnlySpan<long> keys, double rate, IReadOnlyList<int>? sizes = null)
    {
        var curves = new MissRatioCurve[4];
        for (int s = 0; s < curves.Length; s++) curves[s] = ShardsOne(keys, rate, (ulong)s);
        var points = curves[0].SamplePoints(sizes ?? []);
        double worst = 0;
        foreach (int f in points)
        {
            double mean = curves.Average(c => c.MissRatio(f));
            double var = curves.Sum(c => (c.MissRatio(f) - mean) * (c.MissRatio(f) - mean)) / (curves.Length - 1);
            worst = Math.Max(worst, Math.Sqrt(var));
        }
        curves[0].ErrorEstimate = worst;
        return curves[0];
    }

    /// <summary>Streams a trace too large to hold, keeping only the sampled references.</summary>
    public static MissRatioCurve Shards(Traces.ITraceReader reader, double rate, out long requests)
    {
        var sampled = new List<long>[4];
        for (int s = 0; s < 4; s++) sampled[s] = new List<long>();
        var buf = new long[1 << 16];
        requests = 0;
        ulong threshold = Threshold(rate);
        int n;
        while ((n = reader.Read(buf)) > 0)
        {
            requests += n;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < 4; s++)
                    if (SampleHash(buf[i], (ulong)s) < threshold) sampled[s].Add(buf[i]);
        }
        var curves = new MissRatioCurve[4];
        for (int s = 0; s < 4; s++)
            curves[s] = FromSampled(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sampled[s]), rate, requests);
        double worst = 0;
        foreach (int f in curves[0].SamplePoints([]))
        {
            double mean = curves.Average(c => c.MissRatio(f));
            double var = curves.Sum(c => (c.MissRatio(f) - mean) * (c.MissRatio(f) - mean)) / 3;
            worst = Math.Max(worst, Math.Sqrt(var));
        }
        curves[0].ErrorEstimate = worst;
        return curves[0];
    }

    private const int HashBits = 24;

    private static ulong Threshold(double rate) => (ulong)Math.Round(rate * (1UL << HashBits));

    private static ulong SampleHash(long key, ulong seed)
    {
        ulong z = (ulong)key + 0x9E3779B97F4A7C15UL * (seed + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return z & ((1UL << HashBits) - 1);
    }

    private static MissRatioCurve ShardsOne(ReadOnlySpan<long> keys, double rate, ulong seed)
    {
        ulong threshold = Threshold(rate);
        var sampled = new List<long>((int)Math.Min(int.MaxValue, keys.Length * rate * 1.2 + 16));
        foreach (long k in keys)
            if (SampleHash(k, seed) < threshold) sampled.Add(k);
        return FromSampled(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sampled), rate, keys.Length);
    }

    private static MissRatioCurve FromSampled(ReadOnlySpan<long> sampled, double rate, long requests)
    {
        var hist = StackDistances(sampled, out int distinct);
        var cum = Cumulate(hist, distinct);
        // SHARDS_adj: the sampled count differs from rate * N; charge the difference to the smallest distance so
        // the curve is normalised by the expected sample size.
        double expected = requests * rate;
        double diff = expected - sampled.Length;
        var adj = new long[cum.Length];
        for (int i = 0; i < cum.Length; i++) adj[i] = cum[i] + (i >= 1 ? (long)Math.Round(diff) : 0);
        return new MissRatioCurve("shards", rate, sampled.Length, adj, Math.Max(1, expected), null);
    }

    private static long[] Cumulate(long[] hist, int distinct)
    {
        var cum = new long[distinct + 1];
        long run = 0;
        for (int c = 1; c <= distinct; c++)
        {
            run += hist[c];
            cum[c] = run;
        }
        return cum;
    }

    /// <summary>Histogram of LRU stack distances (index 1.. distinct; cold misses not counted), computed with a
    /// Fenwick tree over time marking each page's latest reference: O(n log d). Time is renumbered (compacted to
    /// the live marks) whenever it reaches the tree's size, so the tree stays about twice the distinct pages and
    /// mostly in cache.</summary>
    internal static long[] StackDistances(ReadOnlySpan<long> keys, out int distinct)
    {
        int n = keys.Length;
        var table = new KeyTable(1024);
        var last = new int[1024];            // page id -> time of its latest reference (1-based, in the tree)
        int ids = 0;
        int cap = 4096;
        var tree = new int[cap + 1];
        var owner = new int[cap + 1];        // time -> page id (valid for live marks)
        var hist = new long[16];
        int marks = 0, now = 0;
        for (int t = 0; t < n; t++)
        {
            if (now == cap)
            {
                // Renumber the live marks 1..marks in time order, and size the tree for the pages seen so far.
                int newCap = Math.Max(4096, 2 * ids + 1024);
                var newOwner = new int[newCap + 1];
                int k = 0;
                for (int time = 1; time <= cap; time++)
                {
                    int id = owner[time];
                    if (id >= 0 && last[id] == time)
                    {
                        k++;
                        newOwner[k] = id;
                        last[id] = k;
                    }
                }
                for (int time = k + 1; time <= newCap; time++) newOwner[time] = -1;
                tree = new int[newCap + 1];
                for (int i = 1; i <= newCap; i++) // linear Fenwick build over a[1..k] = 1
                {
                    if (i <= k) tree[i] += 1;
                    int j = i + (i & -i);
                    if (j <= newCap) tree[j] += tree[i];
                }
                owner = newOwner;
                cap = newCap;
                now = k;
            }
            now++;
            int found = table.FindOrInsertGrow(keys[t], ids);
            int pid;
            if (found < 0)
            {
                pid = ids++;
                if (pid == last.Length) Array.Resize(ref last, last.Length * 2);
            }
            else
            {
                pid = found;
                int p = last[pid];
                int d = marks - Prefix(tree, p) + 1; // distinct pages referenced after p, plus this one
                if (d >= hist.Length) Array.Resize(ref hist, Math.Max(d + 1, hist.Length * 2));
                hist[d]++;
                Add(tree, p, -1, cap);
                owner[p] = -1;
                marks--;
            }
            last[pid] = now;
            owner[now] = pid;
            Add(tree, now, 1, cap);
            marks++;
        }
        distinct = ids;
        if (hist.Length < distinct + 1) Array.Resize(ref hist, distinct + 1);
        return hist;
    }

    private static int Prefix(int[] tree, int i)
    {
        int s = 0;
        for (; i > 0; i -= i & -i) s += tree[i];
        return s;
    }

    private static void Add(int[] tree, int i, int v, int cap)
    {
        for (; i <= cap; i += i & -i) tree[i] += v;
    }
}
