namespace MmSim.Memcg.Psi;

/// <summary>
/// One pressure file's memory lines (<c>/proc/pressure/memory</c> or a cgroup's <c>memory.pressure</c>): the
/// cumulative some/full stall time and the running averages, computed from the state changes the
/// <see cref="PsiTracker"/> gathered (psi_group_change → update_averages).
/// </summary>
public sealed class PsiGroup
{
    /// <summary>PSI_FREQ = 2 × HZ + 1 jiffies, the averaging period.</summary>
    public static readonly long PeriodNs = (2L * MemcgController.Hz + 1) * MemcgController.JiffyNs;

    // Change points: at Times[i] the some/full totals were SomeAt[i]/FullAt[i] and the states SomeOn[i]/FullOn[i].
    private long[] _times = [0];
    private long[] _someAt = [0], _fullAt = [0];
    private bool[] _someOn = [false], _fullOn = [false];
    // Averages after each 2 s update: [k] holds the values at time k × PeriodNs (k ≥ 1).
    private readonly List<(ulong[] Some, ulong[] Full)> _updates = new();

    public void SetSegments(long[] times, long[] someAt, long[] fullAt, bool[] someOn, bool[] fullOn)
    {
        _times = times; _someAt = someAt; _fullAt = fullAt; _someOn = someOn; _fullOn = fullOn;
    }

    /// <summary>Cumulative stall time (ns) up to <paramref name="t"/>.</summary>
    public (long Some, long Full) TotalAt(long t)
    {
        int i = Array.BinarySearch(_times, t);
        if (i < 0) i = ~i - 1;
        if (i < 0) return (0, 0);
        long dt = t - _times[i];
        return (_someAt[i] + (_someOn[i] ? dt : 0), _fullAt[i] + (_fullOn[i] ? dt : 0));
    }

    /// <summary>psi_avgs_work every PSI_FREQ up to <paramref name="endNs"/>: sample = the period's new stall time,
    /// at most the period, folded into avg10/60/300 (<see cref="PsiAverages.CalcAvgs"/>).</summary>
    public void ComputeAverages(long endNs)
    {
        _updates.Clear();
        ulong[] some = new ulong[3], full = new ulong[3];
        var (prevSome, prevFull) = (0L, 0L);
        for (long t = PeriodNs; t <= endNs; t += PeriodNs)
        {
            var (s, f) = TotalAt(t);
            ulong ss = (ulong)Math.Min(s - prevSome, PeriodNs), fs = (ulong)Math.Min(f - prevFull, PeriodNs);
            prevSome = s; prevFull = f;
            PsiAverages.CalcAvgs(some, 0, ss, (ulong)PeriodNs);
            PsiAverages.CalcAvgs(full, 0, fs, (ulong)PeriodNs);
            _updates.Add(((ulong[])some.Clone(), (ulong[])full.Clone()));
        }
    }

    /// <summary>The averages as a read at <paramref name="t"/> shows them (the last update at or before it).</summary>
    public (ulong[] Some, ulong[] Full) AveragesAt(long t)
    {
        long k = t / PeriodNs;
        if (k <= 0 || _updates.Count == 0) return (new ulong[3], new ulong[3]);
        return _updates[(int)Math.Min(k, _updates.Count) - 1];
    }

    /// <summary>The file's two lines at <paramref name="t"/>, as psi_show prints them (total in µs).</summary>
    public string[] Lines(long t)
    {
        var (s, f) = TotalAt(t);
        var (avgS, avgF) = AveragesAt(t);
        string Line(string what, ulong[] a, long total) =>
            $"{what} avg10={PsiAverages.Format(a[0])} avg60={PsiAverages.Format(a[1])} avg300={PsiAverages.Format(a[2])} total={total / 1000}";
        return [Line("some", avgS, s), Line("full", avgF, f)];
    }
}
