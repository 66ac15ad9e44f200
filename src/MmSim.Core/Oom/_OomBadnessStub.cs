// TEMPORARY stand-in for the helper's OomBadness (branch oomhost); deleted at merge.
namespace MmSim.Oom;

public static class OomBadness
{
    public static long Badness(long rssPages, long swapEntsPages, long pgtablesBytes, int oomScoreAdj, long totalPages, int pageSize, bool unkillable = false)
    {
        if (unkillable || oomScoreAdj == -1000) return long.MinValue;
        return rssPages + swapEntsPages + pgtablesBytes / pageSize + oomScoreAdj * (totalPages / 1000);
    }

    public static long OomScore(long badness, long totalPages) =>
        badness == long.MinValue ? 0 : (1000 + badness * 1000 / totalPages) * 2 / 3;

    public static string KilledLine(string prefix, int pid, string comm, long totalVmKb, long anonRssKb, long fileRssKb,
        long shmemRssKb, int uid, long pgtablesKb, int oomScoreAdj) =>
        $"{prefix}: Killed process {pid} ({comm}) total-vm:{totalVmKb}kB, anon-rss:{anonRssKb}kB, file-rss:{fileRssKb}kB, shmem-rss:{shmemRssKb}kB, UID:{uid} pgtables:{pgtablesKb}kB oom_score_adj:{oomScoreAdj}";
}
