using System.Globalization;

namespace MmSim.Oom;

/// <summary>The <c>oom_constraint</c> of an OOM (mm/oom_kill.c, <c>constrained_alloc</c>).</summary>
public enum OomConstraint { None, Cpuset, MemoryPolicy, Memcg }

/// <summary>
/// The kernel's OOM log lines, byte for byte without the printk level and timestamp, as Linux 6.1 prints them
/// (mm/oom_kill.c: <c>dump_header</c>, <c>dump_tasks</c>/<c>dump_task</c>, <c>dump_oom_summary</c>,
/// <c>__oom_kill_process</c>; kernel/cgroup/cpuset.c <c>cpuset_print_current_mems_allowed</c>;
/// mm/memcontrol.c <c>mem_cgroup_print_oom_context</c>). The formats of the invoked, summary and killed lines are the
/// same in 6.6 and 6.18. <c>dump_task</c> gained <c>rss_anon rss_file rss_shmem</c> columns later (≈6.8,
/// UNVERIFIED exact release): see <see cref="DumpTasksHeaderRssSplit"/>.
/// </summary>
public static partial class OomBadness
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>"Out of memory": the global OOM message passed to <c>oom_kill_process</c>.</summary>
    public const string GlobalPrefix = "Out of memory";
    /// <summary>"Memory cgroup out of memory": the memcg OOM message.</summary>
    public const string MemcgPrefix = "Memory cgroup out of memory";

    /// <summary>
    /// <c>__oom_kill_process</c>:
    /// <c>"%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd"</c>
    /// with K(total_vm), K(MM_ANONPAGES), K(MM_FILEPAGES), K(MM_SHMEMPAGES), the uid, <c>mm_pgtables_bytes(mm) &gt;&gt; 10</c>.
    /// </summary>
    public static string KilledLine(string prefix, int pid, string comm, long totalVmKb, long anonRssKb, long fileRssKb,
        long shmemRssKb, int uid, long pgtablesKb, int oomScoreAdj) =>
        string.Create(C, $"{prefix}: Killed process {pid} ({comm}) total-vm:{totalVmKb}kB, anon-rss:{anonRssKb}kB, file-rss:{fileRssKb}kB, shmem-rss:{shmemRssKb}kB, UID:{(uint)uid} pgtables:{pgtablesKb}kB oom_score_adj:{(short)oomScoreAdj}");

    /// <summary>
    /// <c>dump_header</c>: <c>"%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"</c>
    /// (comm and adj of the allocating task). <paramref name="gfpFlagNames"/> is the <c>%pGg</c> text, e.g.
    /// "GFP_HIGHUSER_MOVABLE|__GFP_COMP"; empty for a mask of 0. The kernel's <c>%#x</c> prints 0 as "0x0".
    /// </summary>
    public static string InvokedLine(string comm, uint gfpMask, string gfpFlagNames, int order, int oomScoreAdj) =>
        string.Create(C, $"{comm} invoked oom-killer: gfp_mask=0x{gfpMask:x}({gfpFlagNames}), order={order}, oom_score_adj={(short)oomScoreAdj}");

    /// <summary><c>dump_tasks</c>' first line.</summary>
    public const string DumpTasksTitle = "Tasks state (memory values in pages):";

    /// <summary><c>dump_tasks</c>' column header (6.1).</summary>
    public const string DumpTasksHeader = "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name";

    /// <summary>The column header of newer kernels (≈6.8+, UNVERIFIED release), with the RSS split.</summary>
    public const string DumpTasksHeaderRssSplit =
        "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name";

    /// <summary>
    /// <c>dump_task</c> (6.1): <c>"[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s"</c> with pid, uid, tgid,
    /// total_vm (pages), get_mm_rss (pages), mm_pgtables_bytes (bytes), MM_SWAPENTS, oom_score_adj, comm.
    /// </summary>
    public static string DumpTaskRow(int pid, int uid, int tgid, long totalVmPages, long rssPages, long pgtablesBytes,
        long swapEntsPages, int oomScoreAdj, string comm) =>
        string.Create(C, $"[{pid,7}] {uid,5} {tgid,5} {totalVmPages,8} {rssPages,8} {pgtablesBytes,8} {swapEntsPages,8}         {(short)oomScoreAdj,5} {comm}");

    /// <summary>
    /// <c>dump_task</c> of newer kernels: <c>"[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s"</c>
    /// (rss, then MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES).
    /// </summary>
    public static string DumpTaskRowRssSplit(int pid, int uid, int tgid, long totalVmPages, long rssPages,
        long anonPages, long filePages, long shmemPages, long pgtablesBytes, long swapEntsPages, int oomScoreAdj, string comm) =>
        string.Create(C, $"[{pid,7}] {uid,5} {tgid,5} {totalVmPages,8} {rssPages,8} {anonPages,8} {filePages,8} {shmemPages,9} {pgtablesBytes,8} {swapEntsPages,8}         {(short)oomScoreAdj,5} {comm}");

    /// <summary><c>oom_constraint_text[]</c>: "CONSTRAINT_NONE", "CONSTRAINT_CPUSET", ...</summary>
    public static string ConstraintText(OomConstraint c) => c switch
    {
        OomConstraint.None => "CONSTRAINT_NONE",
        OomConstraint.Cpuset => "CONSTRAINT_CPUSET",
        OomConstraint.MemoryPolicy => "CONSTRAINT_MEMORY_POLICY",
        OomConstraint.Memcg => "CONSTRAINT_MEMCG",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    /// <summary>
    /// <c>dump_oom_summary</c>, one line:
    /// <c>"oom-kill:constraint=%s,nodemask=%*pbl"</c>, then (CONFIG_CPUSETS) <c>",cpuset=%s,mems_allowed=%*pbl"</c>
    /// with the allocating task's cpuset <i>name</i>, then (CONFIG_MEMCG) <c>",oom_memcg=PATH"</c> for a memcg OOM or
    /// <c>",global_oom"</c>, and <c>",task_memcg=PATH"</c> of the victim, then <c>",task=%s,pid=%d,uid=%d"</c>.
    /// A null <paramref name="nodemask"/> prints "(null)" (only mempolicy OOMs keep one); a null
    /// <paramref name="cpuset"/> leaves out the cpuset part, a null <paramref name="taskMemcg"/> the memcg part.
    /// Example: <c>oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=hold,pid=1234,uid=0</c>.
    /// </summary>
    public static string OomKillSummaryLine(OomConstraint constraint, string? nodemask, string? cpuset, string? memsAllowed,
        string? oomMemcg, string? taskMemcg, string comm, int pid, int uid)
    {
        string cpusetPart = cpuset is null ? "" : $",cpuset={cpuset},mems_allowed={memsAllowed}";
        string memcgPart = taskMemcg is null ? "" : (oomMemcg is null ? ",global_oom" : $",oom_memcg={oomMemcg}") + $",task_memcg={taskMemcg}";
        return string.Create(C, $"oom-kill:constraint={ConstraintText(constraint)},nodemask={nodemask ?? "(null)"}{cpusetPart}{memcgPart},task={comm},pid={pid},uid={uid}");
    }
}
