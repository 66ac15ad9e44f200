using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace MmSim.Sweep;

/// <summary>Writes a merged sweep as one table: results.csv, results.parquet, and the JSON document of
/// <c>sweep merge --json</c>. Trace sweeps: one row per (trace, policy, frames). Scenario sweeps: one row per
/// combination, a column per grid key and per headline counter.</summary>
public static class SweepTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly string[] TraceColumns =
        ["cell", "trace", "policy", "params", "frames_spec", "frames", "requests", "hits", "misses", "miss_ratio"];

    public static void WriteCsv(string path, SweepSpec spec, IReadOnlyList<CellResult> rows)
    {
        using var ms = new MemoryStream();
        using (var w = new StreamWriter(ms, new UTF8Encoding(false), 1 << 16))
        {
            w.NewLine = "\n";
            if (!spec.IsScenario)
            {
                w.WriteLine(string.Join(',', TraceColumns));
                foreach (var r in rows)
                {
                    w.Write(r.Cell); w.Write(',');
                    w.Write(Quote(r.Trace!)); w.Write(',');
                    w.Write(r.Policy); w.Write(',');
                    w.Write(Quote(r.Params ?? "")); w.Write(',');
                    w.Write(r.FramesSpec); w.Write(',');
                    w.Write(r.Frames.ToString(Inv)); w.Write(',');
                    w.Write(r.Requests.ToString(Inv)); w.Write(',');
                    w.Write(r.Hits.ToString(Inv)); w.Write(',');
                    w.Write(r.Misses.ToString(Inv)); w.Write(',');
                    w.WriteLine(r.MissRatio.ToString("R", Inv));
                }
            }
            else
            {
                w.WriteLine(string.Join(',', ScenarioColumns(spec).Select(Quote)));
                foreach (var r in rows)
                {
                    w.Write(r.Cell); w.Write(','); w.Write(Quote(r.Scenario!));
                    foreach (var g in spec.Grid) { w.Write(','); w.Write(Quote(r.Settings![g.Key])); }
                    foreach (var c in CellResult.ScenarioCounters) { w.Write(','); w.Write(r.Counters![c].ToString(Inv)); }
                    w.WriteLine();
                }
            }
        }
        SweepDir.WriteAtomic(path, ms.ToArray());
    }

    public static IEnumerable<string> ScenarioColumns(SweepSpec spec) =>
        new[] { "cell", "scenario" }.Concat(spec.Grid.Select(g => g.Key)).Concat(CellResult.ScenarioCounters);

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    public static void WriteParquet(string path, SweepSpec spec, IReadOnlyList<CellResult> rows) =>
        WriteParquetAsync(path, spec, rows).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(string path, SweepSpec spec, IReadOnlyList<CellResult> rows)
    {
        using var ms = new MemoryStream();
        var cell = new DataField<string>("cell");
        if (!spec.IsScenario)
        {
            var trace = new DataField<string>("trace");
            var policy = new DataField<string>("policy");
            var pars = new DataField<string>("params");
            var fspec = new DataField<string>("frames_spec");
            var frames = new DataField<int>("frames");
            var requests = new DataField<long>("requests");
            var hits = new DataField<long>("hits");
            var misses = new DataField<long>("misses");
            var ratio = new DataField<double>("miss_ratio");
            var schema = new ParquetSchema(cell, trace, policy, pars, fspec, frames, requests, hits, misses, ratio);
            await using (var writer = await ParquetWriter.CreateAsync(schema, ms))
            {
                using var g = writer.CreateRowGroup();
                await g.WriteAsync(cell, rows.Select(r => r.Cell).ToArray());
                await g.WriteAsync(trace, rows.Select(r => r.Trace!).ToArray());
                await g.WriteAsync(policy, rows.Select(r => r.Policy!).ToArray());
                await g.WriteAsync(pars, rows.Select(r => r.Params ?? "").ToArray());
                await g.WriteAsync(fspec, rows.Select(r => r.FramesSpec!).ToArray());
                await g.WriteAsync(frames, (ReadOnlyMemory<int>)rows.Select(r => r.Frames).ToArray());
                await g.WriteAsync(requests, (ReadOnlyMemory<long>)rows.Select(r => r.Requests).ToArray());
                await g.WriteAsync(hits, (ReadOnlyMemory<long>)rows.Select(r => r.Hits).ToArray());
                await g.WriteAsync(misses, (ReadOnlyMemory<long>)rows.Select(r => r.Misses).ToArray());
                await g.WriteAsync(ratio, (ReadOnlyMemory<double>)rows.Select(r => r.MissRatio).ToArray());
            }
        }
        else
        {
            var scen = new DataField<string>("scenario");
            var keys = spec.Grid.Select(k => new DataField<string>(k.Key)).ToList();
            var counters = CellResult.ScenarioCounters.Select(c => new DataField<long>(c)).ToList();
            var schema = new ParquetSchema(new Field[] { cell, scen }.Concat(keys).Concat(counters));
            await using (var writer = await ParquetWriter.CreateAsync(schema, ms))
            {
                using var g = writer.CreateRowGroup();
                await g.WriteAsync(cell, rows.Select(r => r.Cell).ToArray());
                await g.WriteAsync(scen, rows.Select(r => r.Scenario!).ToArray());
                for (int k = 0; k < keys.Count; k++)
                    await g.WriteAsync(keys[k], rows.Select(r => r.Settings![spec.Grid[k].Key]).ToArray());
                for (int c = 0; c < counters.Count; c++)
                    await g.WriteAsync(counters[c], (ReadOnlyMemory<long>)rows.Select(r => r.Counters![CellResult.ScenarioCounters[c]]).ToArray());
            }
        }
        SweepDir.WriteAtomic(path, ms.ToArray());
    }

    /// <summary>The document of <c>sweep merge --json</c>.</summary>
    public static void WriteJson(Stream output, SweepSpec spec, SweepMergeResult m)
    {
        using var j = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteString("sweep", spec.Name);
        j.WriteNumber("cells", m.Cells);
        j.WriteNumber("done", m.Results.Count);
        j.WriteStartArray("missing");
        foreach (var c in m.Missing) j.WriteStringValue(c.Id);
        j.WriteEndArray();
        j.WriteStartArray("duplicated");
        foreach (var (c, _) in m.Duplicated) j.WriteStringValue(c.Id);
        j.WriteEndArray();
        j.WriteStartObject("failed");
        foreach (var (id, err) in m.Failed.OrderBy(f => f.Key, StringComparer.Ordinal)) j.WriteString(id, err);
        j.WriteEndObject();
        j.WriteStartArray("results");
        foreach (var r in m.Results)
        {
            j.WriteStartObject();
            j.WriteString("cell", r.Cell);
            if (!r.IsScenario)
            {
                j.WriteString("trace", r.Trace);
                j.WriteString("policy", r.Policy);
                if (!string.IsNullOrEmpty(r.Params)) j.WriteString("params", r.Params);
                j.WriteNumber("frames", r.Frames);
                j.WriteNumber("requests", r.Requests);
                j.WriteNumber("hits", r.Hits);
                j.WriteNumber("misses", r.Misses);
                j.WriteNumber("miss_ratio", r.MissRatio);
            }
            else
            {
                j.WriteString("scenario", r.Scenario);
                j.WriteStartObject("settings");
                foreach (var (k, v) in r.Settings!) j.WriteString(k, v);
                j.WriteEndObject();
                j.WriteStartObject("counters");
                foreach (var (k, v) in r.Counters!) j.WriteNumber(k, v);
                j.WriteEndObject();
            }
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }
}
