using System.Text.Json;
using System.Text.Json.Serialization;
using MmSim.Segmentation;

namespace MmSim.Reports;

/// <summary>
/// The report of a run under <c>translation: segmentation</c> or <c>segmented_paging</c> (<see cref="SegMachine"/>):
/// the processes with their segment tables, external fragmentation now and after every change of the memory map,
/// the memory map, the counters and the events. Sizes in bytes (the textbook's unit), times in ns.
/// </summary>
public sealed class SegmentationReport
{
    [JsonPropertyName("scenario")] public RunReport.ScenarioInfo Scenario { get; init; } = new();
    [JsonPropertyName("machine")] public MachineInfo Machine { get; init; } = new();
    [JsonPropertyName("simulated_ns")] public long SimulatedNs { get; init; }
    [JsonPropertyName("processes")] public List<Proc> Processes { get; init; } = [];
    /// <summary>Segmentation: free memory, the largest hole (the largest segment that can be placed) and the holes.</summary>
    [JsonPropertyName("external_fragmentation")] public ExternalFragmentation? External { get; set; }
    [JsonPropertyName("fragmentation_timeline")] public List<Sample>? Timeline { get; set; }
    /// <summary>Segmented paging: bytes of the segments' last pages beyond their limits.</summary>
    [JsonPropertyName("internal_fragmentation_bytes")] public long? InternalFragmentationBytes { get; init; }
    [JsonPropertyName("free_frames")] public long? FreeFrames { get; init; }
    [JsonPropertyName("memory_map")] public List<Area> MemoryMap { get; init; } = [];
    [JsonPropertyName("counters")] public OrderedDictionary<string, long> Counters { get; init; } = new();
    [JsonPropertyName("events")] public List<EventReport> Events { get; init; } = [];

    public sealed class MachineInfo
    {
        [JsonPropertyName("translation")] public string Translation { get; init; } = "";
        [JsonPropertyName("memory_bytes")] public long MemoryBytes { get; init; }
        [JsonPropertyName("page_size")] public int? PageSize { get; init; }
        [JsonPropertyName("placement")] public string? Placement { get; init; }
        [JsonPropertyName("compaction")] public string? Compaction { get; init; }
        [JsonPropertyName("swap_bytes")] public long SwapBytes { get; init; }
        [JsonPropertyName("swap_used_bytes")] public long SwapUsedBytes { get; init; }
    }

    public sealed class Proc
    {
        [JsonPropertyName("pid")] public int Pid { get; init; }
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("state")] public string State { get; init; } = "";
        [JsonPropertyName("signal")] public string? Signal { get; init; }
        [JsonPropertyName("reason")] public string? Reason { get; init; }
        [JsonPropertyName("accesses")] public long Accesses { get; init; }
        [JsonPropertyName("traps")] public long Traps { get; init; }
        [JsonPropertyName("page_faults")] public long? PageFaults { get; init; }
        [JsonPropertyName("end_ns")] public long EndNs { get; init; }
        [JsonPropertyName("cpu_ns")] public long CpuNs { get; init; }
        [JsonPropertyName("io_wait_ns")] public long IoWaitNs { get; init; }
        /// <summary>The segment table at the end of the run (empty once the process is gone).</summary>
        [JsonPropertyName("segments")] public List<Seg> Segments { get; init; } = [];
    }

    public sealed class Seg
    {
        [JsonPropertyName("id")] public int Id { get; init; }
        [JsonPropertyName("base")] public long? Base { get; init; }
        [JsonPropertyName("limit")] public long Limit { get; init; }
        [JsonPropertyName("prot")] public string Prot { get; init; } = "";
        /// <summary>"resident" or "swapped" (segmentation); segmented paging gives the pages in memory.</summary>
        [JsonPropertyName("state")] public string? State { get; init; }
        [JsonPropertyName("pages")] public int? Pages { get; init; }
        [JsonPropertyName("pages_resident")] public int? PagesResident { get; init; }
    }

    public sealed record ExternalFragmentation(
        [property: JsonPropertyName("free_bytes")] long FreeBytes,
        [property: JsonPropertyName("largest_hole_bytes")] long LargestHoleBytes,
        [property: JsonPropertyName("holes")] int Holes,
        [property: JsonPropertyName("hole_list")] List<Area> HoleList);

    public sealed record Sample(
        [property: JsonPropertyName("time_ns")] long TimeNs,
        [property: JsonPropertyName("cause")] string Cause,
        [property: JsonPropertyName("free_bytes")] long FreeBytes,
        [property: JsonPropertyName("largest_hole_bytes")] long LargestHoleBytes,
        [property: JsonPropertyName("holes")] int Holes);

    /// <summary>A range of physical memory: a segment (pid, segment) or a hole (no pid).</summary>
    public sealed record Area(
        [property: JsonPropertyName("base")] long Base,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("pid")] int? Pid = null,
        [property: JsonPropertyName("segment")] int? Segment = null,
        [property: JsonPropertyName("page")] int? Page = null);

    public static SegmentationReport Build(SegMachine m)
    {
        var s = m.Scenario;
        var c = m.Counters;
        bool seg = m.Contiguous;
        var counters = new OrderedDictionary<string, long>
        {
            ["accesses"] = c.Accesses,
            ["traps"] = c.Traps,
            ["segment_allocs"] = c.SegmentAllocs,
            ["segment_alloc_failures"] = c.SegmentAllocFailures,
            ["segment_frees"] = c.SegmentFrees,
        };
        if (seg)
        {
            counters["compactions"] = c.Compactions;
            counters["compaction_bytes_moved"] = c.CompactionBytesMoved;
            counters["segment_swapouts"] = c.SegmentSwapOuts;
            counters["segment_swapins"] = c.SegmentSwapIns;
            counters["swap_bytes_out"] = c.SwapBytesOut;
            counters["swap_bytes_in"] = c.SwapBytesIn;
        }
        else
        {
            counters["pgfault"] = c.PgFault;
            counters["pswpin"] = c.PswpIn;
            counters["pswpout"] = c.PswpOut;
        }
        var report = new SegmentationReport
        {
            Scenario = new RunReport.ScenarioInfo
            {
                Name = s.Name, Title = s.Title, Source = s.SourceName, Seed = s.Seed,
                Description = s.Description, DescriptionZh = s.DescriptionZh,
            },
            Machine = new MachineInfo
            {
                Translation = s.Machine.Translation,
                MemoryBytes = s.Machine.MemoryBytes,
                PageSize = seg ? null : s.Machine.PageSize,
                Placement = seg ? VariablePartitions.Name(s.Machine.Placement).Replace(' ', '_') : null,
                Compaction = seg ? (s.Machine.AutoCompaction ? "auto" : "never") : null,
                SwapBytes = s.Machine.SwapBytes,
                SwapUsedBytes = m.SwapUsedBytes,
            },
            SimulatedNs = m.NowNs,
            Counters = counters,
            InternalFragmentationBytes = seg ? null : PagedSegments.InternalFragmentation(m.Processes, s.Machine.PageSize),
            FreeFrames = seg ? null : m.Frames!.FreeFrames,
        };
        foreach (var p in m.Processes) report.Processes.Add(Of(p, m));
        if (m.Partitions is { } parts)
        {
            var f = parts.Fragmentation;
            report.External = new ExternalFragmentation(f.FreeBytes, f.LargestHole, f.Holes,
                parts.Holes.Select(h => new Area(h.Base, h.Size)).ToList());
            report.Timeline = m.FragmentationTimeline
                .Select(x => new Sample(x.TimeNs, x.Cause, x.FreeBytes, x.LargestHole, x.Holes)).ToList();
            foreach (var x in parts.Partitions)
            {
                string[] k = x.Name.Split(':');
                report.MemoryMap.Add(new Area(x.Base, x.Size, int.Parse(k[0]), int.Parse(k[1])));
            }
        }
        else
        {
            var frames = m.Frames!;
            for (long f = 0; f < frames.FrameCount; f++)
                if (frames.Holder(f) is var (pid, sg, page))
                    report.MemoryMap.Add(new Area(f * s.Machine.PageSize, s.Machine.PageSize, pid, sg, page));
        }
        foreach (var e in m.Log.Events) report.Events.Add(new EventReport(e.TimeNs, e.Type, e.Pid, e.Message));
        return report;
    }

    private static Proc Of(SegProcess p, SegMachine m)
    {
        var proc = new Proc
        {
            Pid = p.Pid, Name = p.Name,
            State = p.State switch { SegTaskState.Exited => "exited", SegTaskState.Killed => "killed", _ => "running" },
            Signal = p.Signal, Reason = p.Reason, Accesses = p.Accesses, Traps = p.Traps,
            PageFaults = m.Contiguous ? null : p.PageFaults,
            EndNs = p.EndNs, CpuNs = p.CpuNs, IoWaitNs = p.IoWaitNs,
        };
        foreach (var e in p.Segments.Values)
            proc.Segments.Add(m.Contiguous
                ? new Seg { Id = e.Id, Base = e.Swapped ? null : e.Base, Limit = e.Limit, Prot = Segment.Letters(e.Prot), State = e.Swapped ? "swapped" : "resident" }
                : new Seg
                {
                    Id = e.Id, Limit = e.Limit, Prot = Segment.Letters(e.Prot), Pages = e.PageTable!.Length,
                    PagesResident = e.PageTable.Count(f => f >= 0),
                });
        return proc;
    }

    public string ToJson() => JsonSerializer.Serialize(this, RunReport.JsonOptions);
}
