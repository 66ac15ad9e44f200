using MmSim.Machine;
using MmSim.Reclaim;

namespace MmSim.Reports;

/// <summary>meminfo and vmstat figures at one simulated moment (kB for memory, counts for events).</summary>
public sealed record TimelineSample(
    long TimeNs, long MemFreeKb, long MemAvailableKb, long AnonPagesKb, long CachedKb, long PageTablesKb,
    long ActiveAnonKb, long InactiveAnonKb, long ActiveFileKb, long InactiveFileKb,
    long PgFault, long PgMajFault, long PgpgIn, long SwapUsedKb, long DirtyKb, long PswpOut)
{
    public static TimelineSample Take(SimMachine m, long now)
    {
        var k = m.Kernel;
        long Kb(long p) => k.PagesToKb(p);
        return new TimelineSample(now, Kb(k.Phys.NrFreePages), Kb(Meminfo.MemAvailablePages(k)), Kb(k.NrAnonMapped),
            Kb(k.NrFilePages - k.NrSwapCache), Kb(k.NrPageTable),
            Kb(k.Lru.Size(LruList.ActiveAnon)), Kb(k.Lru.Size(LruList.InactiveAnon)),
            Kb(k.Lru.Size(LruList.ActiveFile)), Kb(k.Lru.Size(LruList.InactiveFile)),
            k.Events[VmEvent.pgfault], k.Events[VmEvent.pgmajfault], k.Events[VmEvent.pgpgin],
            Kb(k.Swap.UsedSlots), Kb(k.NrFileDirty), k.Events[VmEvent.pswpout]);
    }

    /// <summary>Machine-wide memory pressure at the sample (memcg issue; only with cgroups).</summary>
    public TimelinePsi? Psi { get; init; }

    public const string PsiCsvHeader = ",memory_some_avg10,memory_some_total_us,memory_full_avg10,memory_full_total_us";

    public const string CsvHeader =
        "time_ns,MemFree,MemAvailable,AnonPages,Cached,PageTables,Active(anon),Inactive(anon),Active(file),Inactive(file),pgfault,pgmajfault,pgpgin,SwapUsed,Dirty,pswpout";

    public string ToCsv() =>
        $"{TimeNs},{MemFreeKb},{MemAvailableKb},{AnonPagesKb},{CachedKb},{PageTablesKb},{ActiveAnonKb},{InactiveAnonKb},{ActiveFileKb},{InactiveFileKb},{PgFault},{PgMajFault},{PgpgIn},{SwapUsedKb},{DirtyKb},{PswpOut}" + (Psi is { } p ? p.ToCsv() : "");
}

/// <summary>/proc/pressure/memory at a sample: avg10 (fixed point, printed as psi_show does) and totals in µs.</summary>
public sealed record TimelinePsi(ulong SomeAvg10, long SomeTotalUs, ulong FullAvg10, long FullTotalUs)
{
    public string ToCsv() =>
        $",{Memcg.Psi.PsiAverages.Format(SomeAvg10)},{SomeTotalUs},{Memcg.Psi.PsiAverages.Format(FullAvg10)},{FullTotalUs}";
}
