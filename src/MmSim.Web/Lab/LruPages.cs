using MmSim.Machine;
using MmSim.Physical;
using MmSim.Reclaim;

namespace MmSim.Web.Lab;

/// <summary>
/// The pages on each of the five LRU lists at one moment, for the LRU view of small machines. Taken at the same
/// points as the frame grid (a bounded number of snapshots, never per access), and only when the lists hold at
/// most <see cref="MaxPages"/> pages in all; otherwise the snapshot carries no pages (<see cref="Lists"/> null).
/// Each list is walked from its head (most recently added) to its tail (where reclaim scans), as
/// <c>list_for_each_entry</c> over <c>lruvec->lists[lru]</c> would.
/// </summary>
public sealed class LruPages
{
    /// <summary>The limit on the pages listed at one moment (all five lists together): 4096 pages, 16 MiB of 4 KiB
    /// pages — a 16 MiB machine is always shown page by page; on a larger one only the moments with few pages.</summary>
    public const int MaxPages = 4096;

    /// <summary>A page: its frame, anonymous or file, its owner (the pid of the first live process of the anon_vma
    /// family, -1 if none; or the file's index in the scenario's files) and its index (virtual page number or
    /// page offset in the file).</summary>
    public readonly record struct Page(int Pfn, bool File, int Owner, long Index);

    public long TimeNs { get; }
    /// <summary>Pages of each list in <see cref="LruList"/> order, head to tail; null when over the limit.</summary>
    public Page[][]? Lists { get; }
    /// <summary>Pids of the processes that had an address space at that moment.</summary>
    public HashSet<int> LivePids { get; }

    private LruPages(long timeNs, Page[][]? lists, HashSet<int> live)
    {
        TimeNs = timeNs;
        Lists = lists;
        LivePids = live;
    }

    public static LruPages Take(SimMachine m, long now)
    {
        var k = m.Kernel;
        var live = new HashSet<int>();
        var pidOfFamily = new Dictionary<int, int>();
        foreach (var t in m.Tasks)
        {
            if (!t.HasMm) continue;
            live.Add(t.Pid);
            pidOfFamily.TryAdd(t.Mm.AnonVma, t.Pid);
        }
        long total = 0;
        for (int l = 0; l < 5; l++) total += k.Lru.Size((LruList)l);
        if (total > MaxPages) return new LruPages(now, null, live);
        var frames = k.Frames;
        var lists = new Page[5][];
        for (int l = 0; l < 5; l++)
        {
            var list = new Page[k.Lru.Size((LruList)l)];
            int n = 0;
            for (int pfn = k.Lru.Head((LruList)l); pfn >= 0 && n < list.Length; pfn = k.Lru.Older(pfn))
            {
                ref readonly var f = ref frames[pfn];
                bool file = (f.Flags & (uint)FrameFlags.File) != 0;
                int owner = file ? f.Owner : pidOfFamily.GetValueOrDefault(f.Owner, -1);
                list[n++] = new Page(pfn, file, owner, f.Index);
            }
            lists[l] = n == list.Length ? list : list[..n];
        }
        return new LruPages(now, lists, live);
    }

    /// <summary>The moves between an earlier snapshot and this one, by frame: a page still on the lists (same
    /// frame, owner and index) that went from an inactive to an active list was activated, the other way
    /// deactivated; a page that left the lists (or whose frame now holds another page) was reclaimed, or freed
    /// when its owner process is gone (exit, OOM kill); a page on the lists now that was not there before was added
    /// (faulted in, read, or refaulted — a refault of a recently evicted page goes straight to the active list, as
    /// workingset_refault does, without counting pgactivate). Pages that moved more than once in between show their
    /// net move only.</summary>
    public (List<int> Activated, List<int> Deactivated, List<int> Reclaimed, List<int> Freed, List<int> Added) MovesSince(LruPages prev)
    {
        var act = new List<int>();
        var deact = new List<int>();
        var recl = new List<int>();
        var freed = new List<int>();
        var added = new List<int>();
        if (Lists is null || prev.Lists is null) return (act, deact, recl, freed, added);
        var now = new Dictionary<int, (int List, Page Page)>();
        for (int l = 0; l < 5; l++) foreach (var p in Lists[l]) now[p.Pfn] = (l, p);
        var before = new Dictionary<int, Page>();
        for (int l = 0; l < 5; l++) foreach (var p in prev.Lists[l]) before[p.Pfn] = p;
        for (int l = 0; l < 5; l++)
            foreach (var p in Lists[l])
                if (!before.TryGetValue(p.Pfn, out var b) || b != p) added.Add(p.Pfn);
        for (int l = 0; l < 5; l++)
        {
            foreach (var p in prev.Lists[l])
            {
                if (now.TryGetValue(p.Pfn, out var cur) && cur.Page == p)
                {
                    if (!IsActive(l) && IsActive(cur.List) && IsFileList(l) == IsFileList(cur.List)) act.Add(p.Pfn);
                    else if (IsActive(l) && !IsActive(cur.List) && IsFileList(l) == IsFileList(cur.List)) deact.Add(p.Pfn);
                }
                else if (!p.File && p.Owner >= 0 && !LivePids.Contains(p.Owner)) freed.Add(p.Pfn);
                else recl.Add(p.Pfn);
            }
        }
        act.Sort(); deact.Sort(); recl.Sort(); freed.Sort(); added.Sort();
        return (act, deact, recl, freed, added);
    }

    private static bool IsActive(int l) => l is (int)LruList.ActiveAnon or (int)LruList.ActiveFile;
    private static bool IsFileList(int l) => l is (int)LruList.InactiveFile or (int)LruList.ActiveFile;
}
