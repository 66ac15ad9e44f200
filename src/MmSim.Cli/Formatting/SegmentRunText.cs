using MmSim.Reports;

namespace MmSim.Cli.Formatting;

/// <summary>The readable report of <c>mmsim run</c> under a segmented translation: the segment tables, the
/// memory map with its holes, external fragmentation over time, the counters and the events.</summary>
public static class SegmentRunText
{
    public static void Write(SegmentationReport r, TextWriter w, string lang)
    {
        string title = r.Scenario.Title ?? r.Scenario.Name ?? r.Scenario.Source;
        w.WriteLine($"── {title} ──");
        string? text = lang == "zh" ? r.Scenario.DescriptionZh ?? r.Scenario.Description : r.Scenario.Description;
        if (!string.IsNullOrWhiteSpace(text)) w.WriteLine(text.Trim());
        w.WriteLine();
        var m = r.Machine;
        w.WriteLine(m.Placement is not null
            ? $"Machine: segmentation, {m.MemoryBytes} bytes of memory, placement {m.Placement}, compaction {m.Compaction}, swap {m.SwapBytes} bytes ({m.SwapUsedBytes} used)."
            : $"Machine: segmented paging, {m.MemoryBytes} bytes of memory in {m.PageSize}-byte frames, swap {m.SwapBytes} bytes ({m.SwapUsedBytes} used).");
        w.WriteLine($"Simulated time: {TextReport.FormatNs(r.SimulatedNs)}.");
        w.WriteLine();
        w.WriteLine("Processes");
        foreach (var p in r.Processes)
        {
            string fate = p.Signal is null ? p.State : $"{p.State} by {p.Signal}: {p.Reason}";
            string faults = p.PageFaults is long pf ? $", {pf} page faults" : "";
            w.WriteLine($"  {p.Pid} {p.Name}: {fate}; {p.Accesses} accesses, {p.Traps} traps{faults}");
            foreach (var s in p.Segments)
                w.WriteLine(s.Pages is int pages
                    ? $"    segment {s.Id}: limit {s.Limit} {s.Prot}, {s.PagesResident} of {pages} pages in memory"
                    : s.Base is long b
                        ? $"    segment {s.Id}: base {b} limit {s.Limit} {s.Prot}"
                        : $"    segment {s.Id}: limit {s.Limit} {s.Prot}, swapped out");
        }
        w.WriteLine();
        if (r.External is { } f)
        {
            w.WriteLine($"External fragmentation: {f.FreeBytes} bytes free in {f.Holes} hole{(f.Holes == 1 ? "" : "s")}, largest hole {f.LargestHoleBytes} bytes");
            w.WriteLine("Memory map");
            var areas = r.MemoryMap.Concat(f.HoleList).OrderBy(a => a.Base);
            foreach (var a in areas)
                w.WriteLine(a.Pid is int pid
                    ? $"  [{a.Base,8}, {a.Base + a.Size,8})  pid {pid} segment {a.Segment}"
                    : $"  [{a.Base,8}, {a.Base + a.Size,8})  hole of {a.Size} bytes");
            w.WriteLine("Fragmentation after each change (free bytes / largest hole / holes)");
            foreach (var x in r.Timeline!)
                w.WriteLine($"  {TextReport.FormatNs(x.TimeNs),12}  {x.FreeBytes,8} / {x.LargestHoleBytes,8} / {x.Holes,3}  {x.Cause}");
        }
        else
        {
            w.WriteLine($"Free frames: {r.FreeFrames}; internal fragmentation (last pages of the segments): {r.InternalFragmentationBytes} bytes");
            w.WriteLine("Frames in use");
            foreach (var a in r.MemoryMap)
                w.WriteLine($"  frame {a.Base / m.PageSize!.Value,5}: pid {a.Pid} segment {a.Segment} page {a.Page}");
        }
        w.WriteLine();
        w.WriteLine("Counters");
        foreach (var (k, v) in r.Counters) w.WriteLine($"  {k,-24} {v}");
        w.WriteLine();
        w.WriteLine("Events");
        foreach (var e in r.Events.Take(TextReport.MaxEvents))
            w.WriteLine($"  {TextReport.FormatNs(e.TimeNs),12}  {(e.Pid == 0 ? "-" : e.Pid.ToString()),6}  {e.Type,-11} {e.Message}");
        if (r.Events.Count > TextReport.MaxEvents)
            w.WriteLine($"  ... {r.Events.Count - TextReport.MaxEvents} more events in the JSON report");
    }
}
