using System.Globalization;

namespace MmSim.Host;

/// <summary>
/// The fields of <c>/proc/PID/status</c> the OOM score needs. <c>task_mem()</c> (fs/proc/task_mmu.c) prints the
/// Vm*/Rss* lines only when the task has an mm, each as <c>pages &lt;&lt; (PAGE_SHIFT-10)</c> kB, so the page counts
/// come back exactly; VmPTE is <c>mm_pgtables_bytes(mm) &gt;&gt; 10</c>, exact on x86 where every page-table page is
/// PAGE_SIZE. Since 6.16 both this file and <c>oom_badness</c> read the counters with exact per-CPU sums; before,
/// both read the same approximate <c>get_mm_counter</c>, so either way they agree.
/// </summary>
public sealed record ProcStatus
{
    public string Name { get; init; } = "";
    /// <summary>Real uid (first field of Uid:).</summary>
    public int Uid { get; init; }
    /// <summary>"Kthread: 1" (newer kernels print the line; older ones have no Vm lines for kernel threads either).</summary>
    public bool Kthread { get; init; }
    /// <summary>The Vm*/Rss* lines are present: <c>get_task_mm</c> found an mm.</summary>
    public bool HasMm { get; init; }
    public long VmSizeKb { get; init; }
    public long RssAnonKb { get; init; }
    public long RssFileKb { get; init; }
    public long RssShmemKb { get; init; }
    public long VmSwapKb { get; init; }
    public long VmPteKb { get; init; }

    /// <summary>VmRSS: get_mm_rss in kB.</summary>
    public long RssKb => RssAnonKb + RssFileKb + RssShmemKb;

    /// <summary>Parses the text of a status file; unknown lines are ignored.</summary>
    public static ProcStatus Parse(string text)
    {
        string name = "";
        int uid = 0;
        bool kthread = false, hasMm = false;
        long vmSize = 0, anon = 0, file = 0, shmem = 0, swap = 0, pte = 0;
        foreach (var raw in text.Split('\n'))
        {
            int colon = raw.IndexOf(':');
            if (colon <= 0) continue;
            string key = raw[..colon];
            string value = raw[(colon + 1)..].Trim();
            switch (key)
            {
                case "Name": name = value; break;
                case "Uid": uid = (int)FirstNumber(value); break;
                case "Kthread": kthread = value == "1"; break;
                case "VmSize": vmSize = FirstNumber(value); break;
                case "RssAnon": anon = FirstNumber(value); hasMm = true; break;
                case "RssFile": file = FirstNumber(value); break;
                case "RssShmem": shmem = FirstNumber(value); break;
                case "VmSwap": swap = FirstNumber(value); break;
                case "VmPTE": pte = FirstNumber(value); break;
            }
        }
        return new ProcStatus
        {
            Name = name, Uid = uid, Kthread = kthread, HasMm = hasMm, VmSizeKb = vmSize,
            RssAnonKb = anon, RssFileKb = file, RssShmemKb = shmem, VmSwapKb = swap, VmPteKb = pte,
        };
    }

    private static long FirstNumber(string value)
    {
        int end = 0;
        while (end < value.Length && !char.IsWhiteSpace(value[end])) end++;
        return long.TryParse(value.AsSpan(0, end), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;
    }
}
