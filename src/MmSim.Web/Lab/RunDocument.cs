using System.Text;
using System.Text.Json;
using MmSim.Machine;
using MmSim.Reports;

namespace MmSim.Web.Lab;

/// <summary>
/// The answer of POST /api/run: every member of <c>mmsim run --json</c>'s document (the same
/// <see cref="RunReport"/>), then <c>timeline</c> (the CSV timeline's columns and a few more, thinned to the
/// server's limit) and <c>lab</c> (what the page's views need: the frame grids, the processes over time, the
/// watermarks, the step-mode events).
/// </summary>
public static class RunDocument
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(RunReport report, SimMachine m, RunRecorder rec)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, WriterOptions))
        {
            j.WriteStartObject();
            using (var doc = JsonDocument.Parse(report.ToJson()))
                foreach (var p in doc.RootElement.EnumerateObject()) p.WriteTo(j);

            var rows = rec.Rows;
            j.WriteStartObject("timeline");
            WriteStrings(j, "columns", RunRecorder.Columns);
            j.WriteStartArray("rows");
            foreach (var r in rows)
            {
                j.WriteStartArray();
                foreach (long v in r.Values) j.WriteNumberValue(v);
                j.WriteEndArray();
            }
            j.WriteEndArray();
            j.WriteEndObject();

            j.WriteStartObject("lab");
            WriteLab(j, m, rec, rows);
            j.WriteEndObject();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteLab(Utf8JsonWriter j, SimMachine m, RunRecorder rec, IReadOnlyList<RunRecorder.Row> rows)
    {
        var k = m.Kernel;
        long kbPerPage = k.PageSize / 1024;
        j.WriteNumber("accesses", m.Executor.TotalAccesses);
        j.WriteNumber("page_size", k.PageSize);
        long min = 0, low = 0, high = 0;
        foreach (var z in k.Phys.Zones) { min += z.WatermarkMin; low += z.WatermarkLow; high += z.WatermarkHigh; }
        j.WriteStartObject("watermarks_kb");
        j.WriteNumber("min", min * kbPerPage);
        j.WriteNumber("low", low * kbPerPage);
        j.WriteNumber("high", high * kbPerPage);
        j.WriteEndObject();
        j.WriteNumber("total_ram_kb", k.Phys.TotalRamPages * kbPerPage);

        j.WriteStartObject("frames");
        j.WriteNumber("count", k.Frames.Length);
        j.WriteNumber("per_cell", rec.FramesPerCell);
        j.WriteNumber("cells", rec.CellCount);
        WriteStrings(j, "categories", RunRecorder.Categories.Split(' '));
        j.WriteStartArray("snapshots");
        foreach (var g in rec.Grids)
        {
            j.WriteStartObject();
            j.WriteNumber("time_ns", g.TimeNs);
            j.WriteString("cells", g.Cells);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();

        WriteLruPages(j, m, rec);

        j.WriteStartArray("processes");
        foreach (var t in m.Tasks.Take(256))
        {
            j.WriteStartObject();
            j.WriteNumber("pid", t.Pid);
            j.WriteString("name", t.Name);
            j.WriteNumber("oom_score_adj", t.OomScoreAdj);
            j.WriteStartArray("vmas"); // at the end of the run (none once the process is gone)
            foreach (var v in t.Mm.Vmas.Take(64))
            {
                j.WriteStartObject();
                j.WriteString("name", MmSim.Translate.PageWalk.Name(v));
                j.WriteString("start", $"0x{v.Start:x}");
                j.WriteString("end", $"0x{v.End:x}");
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        WriteStrings(j, "process_columns", RunRecorder.ProcessColumns);
        j.WriteStartArray("process_rows");
        foreach (var r in rows)
        {
            j.WriteStartArray();
            foreach (var p in r.Processes)
            {
                j.WriteStartArray();
                foreach (long v in p) { if (v == long.MinValue) j.WriteNullValue(); else j.WriteNumberValue(v); }
                j.WriteEndArray();
            }
            j.WriteEndArray();
        }
        j.WriteEndArray();

        var (steps, dropped) = StepBuilder.Build(m, rows);
        j.WriteStartArray("steps");
        foreach (var s in steps)
        {
            j.WriteStartObject();
            j.WriteNumber("time_ns", s.TimeNs);
            j.WriteString("kind", s.Kind);
            j.WriteNumber("pid", s.Pid);
            j.WriteStartObject("args");
            foreach (var (key, value) in s.Args)
            {
                switch (value)
                {
                    case string str: j.WriteString(key, str); break;
                    case int i: j.WriteNumber(key, i); break;
                    case long l: j.WriteNumber(key, l); break;
                    default: j.WriteString(key, value.ToString()); break;
                }
            }
            j.WriteEndObject();
            if (s.Message is not null) j.WriteString("message", s.Message);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteNumber("steps_dropped", dropped + (k.Trace?.Dropped ?? 0));
    }

    /// <summary><c>lab.lru_pages</c>: the pages of each LRU list at each grid snapshot (small machines), as
    /// [pfn, 0 anon / 1 file, owner pid or file index, page index], head to tail, and the moves since the
    /// previous snapshot.</summary>
    private static void WriteLruPages(Utf8JsonWriter j, SimMachine m, RunRecorder rec)
    {
        j.WriteStartObject("lru_pages");
        j.WriteNumber("max_pages", LruPages.MaxPages);
        WriteStrings(j, "lists", ["Inactive(anon)", "Active(anon)", "Inactive(file)", "Active(file)", "Unevictable"]);
        WriteStrings(j, "files", m.Kernel.Files.Select(f => f.Path));
        j.WriteStartArray("snapshots");
        LruPages? prev = null;
        foreach (var s in rec.LruSnapshots)
        {
            j.WriteStartObject();
            j.WriteNumber("time_ns", s.TimeNs);
            if (s.Lists is null) j.WriteNull("lists");
            else
            {
                j.WriteStartArray("lists");
                foreach (var list in s.Lists)
                {
                    j.WriteStartArray();
                    foreach (var p in list)
                    {
                        j.WriteStartArray();
                        j.WriteNumberValue(p.Pfn);
                        j.WriteNumberValue(p.File ? 1 : 0);
                        j.WriteNumberValue(p.Owner);
                        j.WriteNumberValue(p.Index);
                        j.WriteEndArray();
                    }
                    j.WriteEndArray();
                }
                j.WriteEndArray();
            }
            var (act, deact, recl, freed, added) = prev is null ? ([], [], [], [], []) : s.MovesSince(prev);
            j.WriteStartObject("moves");
            WriteInts(j, "activated", act);
            WriteInts(j, "deactivated", deact);
            WriteInts(j, "reclaimed", recl);
            WriteInts(j, "freed", freed);
            WriteInts(j, "added", added);
            j.WriteEndObject();
            j.WriteEndObject();
            prev = s;
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    private static void WriteInts(Utf8JsonWriter j, string name, List<int> values)
    {
        j.WriteStartArray(name);
        foreach (var v in values) j.WriteNumberValue(v);
        j.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter j, string name, IEnumerable<string> values)
    {
        j.WriteStartArray(name);
        foreach (var v in values) j.WriteStringValue(v);
        j.WriteEndArray();
    }
}
