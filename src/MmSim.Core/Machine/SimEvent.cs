namespace MmSim.Machine;

/// <summary>One line of the event log: when (simulated ns), what kind, which process (0 = the kernel), and a
/// message worded as the kernel or a Linux tool would word it where one exists.</summary>
public sealed record SimEvent(long TimeNs, string Type, int Pid, string Message);

/// <summary>Event kinds, as they appear in reports.</summary>
public static class EventTypes
{
    public const string Start = "start";
    public const string Exit = "exit";
    public const string Step = "step";
    public const string Fault = "fault";
    public const string Segv = "segv";
    public const string AllocFail = "alloc_fail";
    public const string Enomem = "enomem";
    public const string Killed = "killed";
    /// <summary>The OOM killer's log lines (invoked, the task dump, oom-kill:, the reaper).</summary>
    public const string Oom = "oom";
    /// <summary>The "Out of memory: Killed process ..." line.</summary>
    public const string OomKill = "oom_kill";
    public const string Panic = "panic";
}

/// <summary>The machine's event log.</summary>
public sealed class EventLog
{
    private readonly List<SimEvent> _events = new();
    public IReadOnlyList<SimEvent> Events => _events;
    public void Add(long timeNs, string type, int pid, string message) => _events.Add(new SimEvent(timeNs, type, pid, message));
}
