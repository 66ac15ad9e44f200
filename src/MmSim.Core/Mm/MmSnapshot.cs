namespace MmSim.Mm;

/// <summary>An mm's /proc/PID/status figures at one moment, in pages (bytes for page tables).</summary>
public readonly record struct MmSnapshot(long TotalVm, long LockedVm, long HiwaterRss, long RssAnon, long RssFile,
    long RssShmem, long SwapEnts, long PgtablesBytes, long DataVm, long StackVm,
    long InternalFragBytes = 0)
{
    public static MmSnapshot Of(MmStruct mm) => new(mm.TotalVm, mm.LockedVm, mm.HiwaterRss, mm.RssAnon, mm.RssFile,
        mm.RssShmem, mm.SwapEnts, mm.PgtablesBytes, mm.DataVm, mm.StackVm,
        mm.Vmas.Sum(v => (long)v.TailWaste));

    public long Rss => RssAnon + RssFile + RssShmem;
}
