using MmSim.Mm;
using MmSim.Workloads;

namespace MmSim.Sched;

/// <summary>Holding: the task ran out of steps without an <c>exit</c> step, so it stays alive with its memory
/// (as a process blocked in pause() would) until the end of the run; reported as "running".</summary>
public enum TaskState { NotStarted, Runnable, Blocked, Holding, Exited, Killed }

/// <summary>
/// A simulated process (<c>task_struct</c> with its mm): identity, state, the /proc/PID/stat fault counters,
/// where it is in its scenario steps, and its time: on the CPU, waiting for I/O, sleeping.
/// </summary>
public sealed class SimTask
{
    public int Pid { get; }
    public string Name { get; }
    /// <summary>The kernel keeps 15 characters of the command name (TASK_COMM_LEN − 1).</summary>
    public string Comm => Name.Length > 15 ? Name[..15] : Name;
    public int OomScoreAdj { get; set; }
    public ProcessSpec Spec { get; }
    public MmStruct Mm { get; }

    public TaskState State = TaskState.NotStarted;
    /// <summary>Where the scheduler last found this task in its list (a hint, checked before use).</summary>
    internal int SchedIndex = -1;
    /// <summary>The signal that ended it ("SIGSEGV", "SIGKILL"), and why.</summary>
    public string? Signal;
    public string? Reason;

    /// <summary>min_flt and maj_flt (/proc/PID/stat fields 10 and 12).</summary>
    public long MinFlt, MajFlt;
    public long CpuNs, IoWaitNs, SleepNs;
    /// <summary>Time runnable but waiting for a CPU (/proc/PID/schedstat's run_delay), and since when it waits.</summary>
    public long RunDelayNs, ReadySinceNs;
    /// <summary>In the run queue, waiting for a CPU (not on one).</summary>
    public bool Queued;
    /// <summary>CFS's vruntime (CPU time received, nice 0) and the start of its current run on a CPU.</summary>
    public long Vruntime, RunSinceNs;
    /// <summary>The end of the sleep step it is in (0 if none): a SIGKILL ends the sleep early.</summary>
    public long SleepUntilNs;
    /// <summary>Time stalled in direct reclaim, and how many times it entered it.</summary>
    public long StallNs, DirectReclaims;
    /// <summary>Time paused by balance_dirty_pages.</summary>
    public long DirtyThrottledNs;
    /// <summary>Chosen by the OOM killer.</summary>
    public bool OomKilled;
    public long StartNs = -1, EndNs = -1;
    public long Accesses;
    /// <summary>This process's share of the CPU caches (null when the machine has none).</summary>
    public Cache.CacheTally? Caches;
    /// <summary>A trace step has made the stack mapping (its first data access's region).</summary>
    internal bool TraceStackMapped;
    /// <summary>The status figures just before the address space was torn down (exit or kill).</summary>
    public MmSnapshot? Final;

    /// <summary>The frames of kernel stack it holds (THREAD_SIZE = 16 KiB, vmalloc'd page by page).</summary>
    public int[] KernelStack = [];

    internal readonly StepCursor Cursor = new();
    internal readonly Stack<ProgramFrame> Program = new();
    public readonly Dictionary<string, Vma> Regions = new(StringComparer.Ordinal);
    internal Pcg32 Rng;
    internal int WriteSeq;

    /// <summary>memcg issue: the task's memory cgroup (null without cgroups), current->memcg_nr_pages_over_high,
    /// the time slept by memory.high throttling, and how an OOM kill came ("container" = memcg OOM, "node" = global).</summary>
    public Memcg.MemCgroup? Memcg;
    public long MemcgNrPagesOverHigh;
    public long MemcgThrottledNs;
    public string? OomKind;

    /// <summary>The parent's pid for a forked child, 0 otherwise.</summary>
    public int ParentPid;

    public SimTask(ProcessSpec spec, MmStruct mm, ulong seed)
    {
        Spec = spec;
        Pid = spec.Pid;
        Name = spec.Name;
        OomScoreAdj = spec.OomScoreAdj;
        Mm = mm;
        Rng = new Pcg32(seed, (ulong)spec.Pid);
        Program.Push(new ProgramFrame(spec.Steps, 1));
    }

    /// <summary>Alive with an address space: started, and neither exited nor killed (find_lock_task_mm).</summary>
    public bool HasMm => State is not (TaskState.NotStarted or TaskState.Exited or TaskState.Killed);

    /// <summary>Will not run again: exited, killed, or holding at the end of its steps.</summary>
    public bool IsDone => State is TaskState.Exited or TaskState.Killed or TaskState.Holding;
}

/// <summary>A list of steps being run, and how many more times (a repeat body).</summary>
internal sealed class ProgramFrame(List<Step> steps, long times)
{
    public readonly List<Step> Steps = steps;
    public int Index;
    public long Remaining = times;
}
