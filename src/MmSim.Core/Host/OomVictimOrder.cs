namespace MmSim.Host;

/// <summary>
/// The order in which <c>select_bad_process</c> would pick victims if each kill freed its process and nothing else
/// changed. The kernel walks <c>for_each_process</c> (thread-group leaders in task-list order: creation order, new
/// tasks are appended with <c>list_add_tail_rcu(&amp;p-&gt;tasks, &amp;init_task.tasks)</c>) and takes a task when
/// <c>points &gt;= chosen_points</c> (it skips only <c>points &lt; chosen</c>), so on equal badness the <b>later</b> task
/// wins. /proc does not show the task list; creation order is approximated by <c>starttime</c> (stat field 22), later
/// first, and within one clock tick by the higher pid. Pid order alone would be wrong after pid wrap-around.
/// Processes with LONG_MIN badness are never chosen; they come last, by pid.
/// </summary>
public static class OomVictimOrder
{
    public static List<HostProcess> Sort(IEnumerable<HostProcess> processes)
    {
        var list = processes.ToList();
        list.Sort(Compare);
        return list;
    }

    /// <summary>Negative when <paramref name="a"/> would be chosen before <paramref name="b"/>.</summary>
    public static int Compare(HostProcess a, HostProcess b)
    {
        if (a.Eligible != b.Eligible) return a.Eligible ? -1 : 1;
        if (!a.Eligible) return a.Pid.CompareTo(b.Pid);
        int c = b.Badness.CompareTo(a.Badness);
        if (c != 0) return c;
        c = (b.StartTime ?? -1).CompareTo(a.StartTime ?? -1);
        return c != 0 ? c : b.Pid.CompareTo(a.Pid);
    }
}
