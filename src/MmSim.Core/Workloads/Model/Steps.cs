namespace MmSim.Workloads;

/// <summary>One step of a process. Each YAML step is a one-key mapping, the key naming the kind
/// (<see cref="StepKinds"/>); <see cref="Line"/> is the line of that key.</summary>
public abstract class Step
{
    public int Line { get; set; }

    /// <summary>The YAML key of this kind of step ("alloc", "touch", ...).</summary>
    public abstract string Kind { get; }
}

/// <summary>The names of the steps, in the order the error messages list them.</summary>
public static class StepKinds
{
    public const string Alloc = "alloc", Touch = "touch", Access = "access", MapFile = "map_file",
        ReadFile = "read_file", WriteFile = "write_file", Free = "free", Mlock = "mlock", Fork = "fork",
        Sleep = "sleep", Repeat = "repeat", Exit = "exit", Trace = "trace";

    public static readonly IReadOnlyList<string> All =
        [Alloc, Touch, Access, MapFile, ReadFile, WriteFile, Free, Sleep, Repeat, Exit, Mlock, Fork, Trace];
}

/// <summary><c>alloc</c>: an anonymous private mapping (mmap MAP_PRIVATE|MAP_ANONYMOUS), lazy: no page is
/// allocated until touched. The length is rounded up to whole pages.</summary>
public sealed class AllocStep : Step
{
    public override string Kind => StepKinds.Alloc;
    public string Name { get; set; } = "";
    public long SizeBytes { get; set; }
    public Prot Prot { get; set; } = Prot.ReadWrite;
}

/// <summary><c>touch</c>: one access at the start of every stride (by default every page) of
/// [offset, offset+length) of a region, in increasing address order.</summary>
public sealed class TouchStep : Step
{
    /// <summary>CPU time the process spends between two accesses ('think: 20us'): a slower allocator.</summary>
    public long ThinkNs { get; set; }
    public override string Kind => StepKinds.Touch;
    public string Region { get; set; } = "";
    public bool Write { get; set; }
    /// <summary>Distance between two accesses; the parser sets the page size when <c>stride</c> is absent.</summary>
    public long StrideBytes { get; set; } = 4096;
    public long OffsetBytes { get; set; }
    /// <summary>null = to the end of the region.</summary>
    public long? LengthBytes { get; set; }
}

/// <summary><c>access</c>: <see cref="Count"/> accesses to pages of a region chosen by <see cref="Pattern"/>
/// (see <see cref="AccessGenerator"/>), or to one exact virtual <see cref="Address"/>.</summary>
public sealed class AccessStep : Step
{
    /// <summary>CPU time the process spends between two accesses ('think: 1us').</summary>
    public long ThinkNs { get; set; }
    public override string Kind => StepKinds.Access;
    /// <summary>Exactly one of <see cref="Region"/> and <see cref="Address"/> is set.</summary>
    public string? Region { get; set; }
    public ulong? Address { get; set; }
    public AccessPattern Pattern { get; set; } = AccessPattern.Sequential;
    public long Count { get; set; } = 1;
    /// <summary>Probability that an access is a write; <c>write: true</c> sets 1, <c>write: false</c> 0.</summary>
    public double WriteRatio { get; set; }
    /// <summary>The <c>write:</c> key (true when every access writes).</summary>
    public bool Write { get; set; }
    public double ZipfAlpha { get; set; } = 1.0;
    /// <summary>An instruction fetch rather than a data read (never a write).</summary>
    public bool Exec { get; set; }
}

/// <summary><c>map_file</c>: mmap of a declared file. Private by default (writes are copy-on-write), shared with
/// <c>shared: true</c> (writes dirty the page cache).</summary>
public sealed class MapFileStep : Step
{
    public override string Kind => StepKinds.MapFile;
    public string Name { get; set; } = "";
    public string Path { get; set; } = "";
    public Prot Prot { get; set; } = Prot.Read;
    public bool Shared { get; set; }
    /// <summary>A multiple of the page size, as mmap requires.</summary>
    public long OffsetBytes { get; set; }
    /// <summary>null = from the offset to the end of the file.</summary>
    public long? LengthBytes { get; set; }
}

/// <summary><c>read_file</c>: read(2) of a byte range through the page cache (buffered I/O, with readahead).</summary>
public sealed class ReadFileStep : Step
{
    public override string Kind => StepKinds.ReadFile;
    public string Path { get; set; } = "";
    public long OffsetBytes { get; set; }
    public long SizeBytes { get; set; }
}

/// <summary><c>write_file</c>: write(2) of a byte range through the page cache (the pages become dirty).</summary>
public sealed class WriteFileStep : Step
{
    public override string Kind => StepKinds.WriteFile;
    public string Path { get; set; } = "";
    public long OffsetBytes { get; set; }
    public long SizeBytes { get; set; }
}

/// <summary><c>free</c>: munmap of a whole region.</summary>
public sealed class FreeStep : Step
{
    public override string Kind => StepKinds.Free;
    public string Region { get; set; } = "";
}

/// <summary><c>sleep</c>: the process blocks for a duration (other processes and kswapd run).</summary>
public sealed class SleepStep : Step
{
    public override string Kind => StepKinds.Sleep;
    public long DurationNs { get; set; }
}

/// <summary><c>repeat</c>: runs <see cref="Steps"/> <see cref="Times"/> times.</summary>
public sealed class RepeatStep : Step
{
    public override string Kind => StepKinds.Repeat;
    public long Times { get; set; }
    public List<Step> Steps { get; set; } = [];
}

/// <summary><c>mlock</c>: mlock(2) of a whole region (faults every page in and keeps it off the LRU).</summary>
public sealed class MlockStep : Step
{
    public override string Kind => StepKinds.Mlock;
    public string Region { get; set; } = "";
}

/// <summary><c>fork</c>: fork(2); the child (named <see cref="Name"/>, else the parent's name) shares every page
/// copy-on-write and exits at once. Parsed and validated; the simulation is a later issue.</summary>
public sealed class ForkStep : Step
{
    public override string Kind => StepKinds.Fork;
    /// <summary>The child's name (default: the parent's).</summary>
    public string? Name { get; set; }
    /// <summary>What the child does; it shares the parent's memory copy-on-write and knows its regions. The parent
    /// goes on with its own next step. Without steps the child just stays alive.</summary>
    public List<Step> Steps { get; set; } = [];
}

/// <summary><c>exit</c>: the process exits (its memory is freed). A process also exits after its last step.</summary>
public sealed class ExitStep : Step
{
    public override string Kind => StepKinds.Exit;
    /// <summary>The exit status, 0..255.</summary>
    public int Code { get; set; }
}

/// <summary><c>trace</c>: replays a real program's memory trace (valgrind lackey: <c>I</c> fetch, <c>L</c> load,
/// <c>S</c> store, <c>M</c> load then store) through the TLB, the page tables, the faults and the CPU caches.
/// Mappings are made on first touch (see docs/cache.md, "Traces in scenarios").</summary>
public sealed class TraceStep : Step
{
    public override string Kind => StepKinds.Trace;
    /// <summary>The file as written in the scenario (relative to the scenario's directory).</summary>
    public string File { get; set; } = "";
    /// <summary>Where it was found: a path, or "builtin:NAME" for a trace shipped with the built-in scenarios.</summary>
    public string ResolvedPath { get; set; } = "";
    public string Format { get; set; } = "lackey";
}
