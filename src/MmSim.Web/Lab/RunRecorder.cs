using MmSim.Machine;
using MmSim.Physical;
using MmSim.Reclaim;
using MmSim.Reports;
using MmSim.Sched;

namespace MmSim.Web.Lab;

/// <summary>
/// Records what the web lab shows at each moment of a run, from the machine's timeline samples: the meminfo and
/// vmstat figures (the CSV timeline's columns and a few more), each process's /proc/PID/status figures and
/// oom_score, and now and then the frame grid. The run is sampled every millisecond of simulated time; to keep
/// what goes to the page small whatever the run's length, every second row is dropped (and the sampling stride
/// doubled) whenever the limit is reached, so the rows stay evenly spaced. The last sample is always kept.
/// </summary>
public sealed class RunRecorder
{
    /// <summary>The CSV timeline's columns (TimelineSample.CsvHeader), then the lab's own.</summary>
    public static readonly string[] Columns =
    [
        .. TimelineSample.CsvHeader.Split(','),
        "Unevictable", "pswpin", "pgactivate", "pgdeactivate", "pgsteal_kswapd", "pgsteal_direct",
        "pgscan_kswapd", "pgscan_direct", "oom_kill", "Kernel",
    ];

    /// <summary>Per process and row: pid, state (0 not started, 1 running, 2 exited, 3 killed), VmRSS, RssAnon,
    /// RssFile, VmSwap, VmPTE (kB), oom_score, oom_badness (pages; long.MinValue when it cannot be picked).</summary>
    public static readonly string[] ProcessColumns =
        ["pid", "state", "VmRSS", "RssAnon", "RssFile", "VmSwap", "VmPTE", "oom_score", "badness"];

    public sealed record Row(long[] Values, long[][] Processes);
    public sealed record GridSnapshot(long TimeNs, string Cells);

    private readonly int _maxRows;
    private readonly int _maxGrids;
    private readonly List<Row> _rows = new();
    private readonly List<GridSnapshot> _grids = new();
    /// <summary>The LRU lists' pages, taken with each grid snapshot (same points, same thinning).</summary>
    private readonly List<LruPages> _lru = new();
    private long _seen, _stride = 1, _gridSeen, _gridStride = 1;
    private Row? _last;
    private long _lastTime = -1;

    public RunRecorder(int maxRows, int maxGrids = 64)
    {
        _maxRows = Math.Max(4, maxRows);
        _maxGrids = Math.Max(2, maxGrids);
    }

    /// <summary>Frames per cell of the grid, and the number of cells (at most <see cref="MaxCells"/>).</summary>
    public const int MaxCells = 4096;
    public int FramesPerCell { get; private set; } = 1;
    public int CellCount { get; private set; }

    public IReadOnlyList<Row> Rows
    {
        get
        {
            if (_last is null || (_rows.Count > 0 && ReferenceEquals(_rows[^1], _last))) return _rows;
            return [.. _rows, _last];
        }
    }

    public IReadOnlyList<GridSnapshot> Grids => _grids;
    public IReadOnlyList<LruPages> LruSnapshots => _lru;

    /// <summary>The machine's OnSample hook: takes the row out of the machine's own timeline (the lab keeps its
    /// thinned copy instead), and records it if the stride says so.</summary>
    public void OnSample(SimMachine m, long now)
    {
        var sample = m.Timeline[^1];
        m.Timeline.RemoveAt(m.Timeline.Count - 1);
        if (now == _lastTime && _last is not null) _rows.Remove(_last); // the final sample repeats the last time
        _lastTime = now;
        var row = Take(m, sample);
        _last = row;
        if (_seen++ % _stride == 0)
        {
            _rows.Add(row);
            if (_rows.Count >= _maxRows)
            {
                Halve(_rows);
                _stride *= 2;
            }
        }
        if (_gridSeen++ % _gridStride == 0)
        {
            _grids.Add(new GridSnapshot(now, Grid(m.Kernel)));
            _lru.Add(LruPages.Take(m, now));
            if (_grids.Count >= _maxGrids)
            {
                Halve(_grids);
                Halve(_lru);
                _gridStride *= 2;
            }
        }
    }

    /// <summary>After the run: makes sure the grid's last state is there too.</summary>
    public void Finish(SimMachine m)
    {
        if (_grids.Count == 0 || _grids[^1].TimeNs != m.EndNs)
        {
            _grids.Add(new GridSnapshot(m.EndNs, Grid(m.Kernel)));
            _lru.Add(LruPages.Take(m, m.EndNs));
        }
    }

    private static void Halve<T>(List<T> list)
    {
        int w = 0;
        for (int i = 0; i < list.Count; i += 2) list[w++] = list[i];
        list.RemoveRange(w, list.Count - w);
    }

    private static Row Take(SimMachine m, TimelineSample s)
    {
        var k = m.Kernel;
        var e = k.Events;
        long Kb(long p) => k.PagesToKb(p);
        long kernelPages = k.Phys.TotalRamPages - k.Phys.NrFreePages - k.NrAnonMapped - k.NrFilePages - k.NrPageTable;
        long[] v =
        [
            s.TimeNs, s.MemFreeKb, s.MemAvailableKb, s.AnonPagesKb, s.CachedKb, s.PageTablesKb, s.ActiveAnonKb,
            s.InactiveAnonKb, s.ActiveFileKb, s.InactiveFileKb, s.PgFault, s.PgMajFault, s.PgpgIn, s.SwapUsedKb,
            s.DirtyKb, s.PswpOut,
            Kb(k.Lru.Size(LruList.Unevictable)), e[VmEvent.pswpin], e[VmEvent.pgactivate], e[VmEvent.pgdeactivate],
            e[VmEvent.pgsteal_kswapd], e[VmEvent.pgsteal_direct], e[VmEvent.pgscan_kswapd], e[VmEvent.pgscan_direct],
            e[VmEvent.oom_kill], Kb(Math.Max(0, kernelPages)),
        ];
        var procs = new long[Math.Min(m.Tasks.Count, 256)][];
        for (int i = 0; i < procs.Length; i++)
        {
            var t = m.Tasks[i];
            var mm = t.Mm;
            bool live = t.HasMm;
            long state = t.State switch
            {
                TaskState.NotStarted => 0,
                TaskState.Exited => 2,
                TaskState.Killed => 3,
                _ => 1,
            };
            procs[i] = live
                ? [t.Pid, state, Kb(mm.Rss), Kb(mm.RssAnon), Kb(mm.RssFile), Kb(mm.SwapEnts), mm.PgtablesBytes >> 10,
                   m.Oom.OomScore(t), m.Oom.Badness(t)]
                : [t.Pid, state, 0, 0, 0, 0, 0, 0, long.MinValue];
        }
        return new Row(v, procs);
    }

    /// <summary>Frame categories of the grid, one character each.</summary>
    public const string Categories = "free anon file file_dirty page_table kernel hole";

    /// <summary>The frames, <see cref="FramesPerCell"/> to a cell, each cell the category most of its frames have:
    /// '0' free, '1' anonymous, '2' page cache clean, '3' page cache dirty, '4' page table, '5' kernel (stacks,
    /// reserved memory), '6' hole (not RAM).</summary>
    private string Grid(Kernel k)
    {
        var frames = k.Frames;
        int n = frames.Length;
        if (CellCount == 0)
        {
            FramesPerCell = Math.Max(1, (n + MaxCells - 1) / MaxCells);
            CellCount = (n + FramesPerCell - 1) / FramesPerCell;
        }
        var cells = new char[CellCount];
        Span<int> count = stackalloc int[7];
        for (int c = 0; c < CellCount; c++)
        {
            count.Clear();
            int end = Math.Min(n, (c + 1) * FramesPerCell);
            for (int pfn = c * FramesPerCell; pfn < end; pfn++) count[Category(frames[pfn].Flags)]++;
            int best = 0;
            for (int i = 1; i < 7; i++) if (count[i] > count[best]) best = i;
            cells[c] = (char)('0' + best);
        }
        return new string(cells);
    }

    private static int Category(uint flags)
    {
        var f = (FrameFlags)flags;
        if ((f & FrameFlags.Reserved) != 0) return (f & FrameFlags.NotPresent) != 0 ? 6 : 5;
        if ((f & FrameFlags.Allocated) == 0) return 0;
        if ((f & FrameFlags.PageTable) != 0) return 4;
        if ((f & FrameFlags.File) != 0) return (f & FrameFlags.Dirty) != 0 ? 3 : 2;
        if ((f & FrameFlags.Anon) != 0) return 1;
        return 5;
    }
}
