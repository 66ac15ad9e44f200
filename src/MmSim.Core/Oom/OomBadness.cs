namespace MmSim.Oom;

/// <summary>
/// The OOM killer's scoring, with the kernel's integer arithmetic (C <c>long</c> = C# <c>long</c>, division truncates
/// toward zero in both). Pure and allocation-free; the log-line formatters are in <c>OomBadness.Log.cs</c>.
/// <para>Source: <c>oom_badness()</c> in mm/oom_kill.c (5.9 and later: returns <c>long</c>, <c>LONG_MIN</c> for "never");
/// <c>proc_oom_score()</c> in fs/proc/base.c (same release). Unchanged through 6.18 except that 6.16+ reads the mm
/// counters with exact per-CPU sums (<c>get_mm_rss_sum</c>), which is a question of the inputs, not of the formula.</para>
/// </summary>
public static partial class OomBadness
{
    /// <summary><c>OOM_SCORE_ADJ_MIN</c> (include/uapi/linux/oom.h): the task is never chosen.</summary>
    public const int OOM_SCORE_ADJ_MIN = -1000;
    /// <summary><c>OOM_SCORE_ADJ_MAX</c>.</summary>
    public const int OOM_SCORE_ADJ_MAX = 1000;

    /// <summary>
    /// <c>oom_badness(p, totalpages)</c>:
    /// <code>
    /// if (oom_unkillable_task(p) || !find_lock_task_mm(p)) return LONG_MIN;
    /// adj = (long)p->signal->oom_score_adj;
    /// if (adj == OOM_SCORE_ADJ_MIN || MMF_OOM_SKIP || in_vfork(p)) return LONG_MIN;
    /// points = get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) + mm_pgtables_bytes(mm) / PAGE_SIZE;
    /// adj *= totalpages / 1000;
    /// points += adj;
    /// return points;
    /// </code>
    /// <paramref name="rssPages"/> is <c>get_mm_rss</c> = MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES.
    /// <paramref name="unkillable"/> covers every other <c>LONG_MIN</c> case (global init, kernel thread, no mm,
    /// <c>MMF_OOM_SKIP</c>, vfork). <c>totalpages / 1000</c> is divided first, so with fewer than 1000 pages the
    /// adjustment has no effect; the result may be negative and is not clamped (the pre-5.9 "at least 1" is gone).
    /// </summary>
    public static long Badness(long rssPages, long swapEntsPages, long pgtablesBytes, int oomScoreAdj,
        long totalPages, int pageSize, bool unkillable = false)
    {
        if (unkillable || oomScoreAdj == OOM_SCORE_ADJ_MIN) return long.MinValue;
        long points = rssPages + swapEntsPages + pgtablesBytes / pageSize;
        long adj = oomScoreAdj;
        adj *= totalPages / 1000; // unsigned long in C; same bits as this signed product for any real input
        points += adj;
        return points;
    }

    /// <summary>
    /// <c>/proc/PID/oom_score</c> (<c>proc_oom_score</c>, fs/proc/base.c, 5.9+):
    /// <code>
    /// unsigned long totalpages = totalram_pages() + total_swap_pages;
    /// unsigned long points = 0;
    /// long badness = oom_badness(task, totalpages);
    /// if (badness != LONG_MIN)
    ///     points = (1000 + badness * 1000 / (long)totalpages) * 2 / 3;
    /// seq_printf(m, "%lu\n", points);
    /// </code>
    /// The arithmetic is signed <c>long</c>, truncating; there is no clamp. With adj in -999..1000 the value is
    /// 0..2000 (badness ≥ -999·(totalpages/1000) makes the quotient ≥ -999). Outside that range the kernel would
    /// print a negative value as a huge <c>%lu</c>; this returns the signed value instead.
    /// Always the global <c>totalpages</c>, even when the real OOM would be memcg- or cpuset-constrained.
    /// </summary>
    public static long OomScore(long badness, long totalPages)
    {
        if (badness == long.MinValue) return 0;
        return (1000 + badness * 1000 / totalPages) * 2 / 3;
    }

    /// <summary>The <c>/proc/PID/oom_score</c> of a task: <see cref="Badness"/> then <see cref="OomScore"/>.</summary>
    public static long OomScore(long rssPages, long swapEntsPages, long pgtablesBytes, int oomScoreAdj,
        long totalPages, int pageSize, bool unkillable = false) =>
        OomScore(Badness(rssPages, swapEntsPages, pgtablesBytes, oomScoreAdj, totalPages, pageSize, unkillable), totalPages);
}
