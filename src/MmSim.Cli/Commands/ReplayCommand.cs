using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MmSim.Replay;
using MmSim.Replay.Traces;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim replay</c>: the page-replacement lab. Replays a trace (or a reference string) through every
/// chosen policy at every chosen memory size and prints the hits, misses and miss ratios.</summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var cmd = new Command("replay", "Replay a page-reference trace through replacement policies (see docs/replay.md)");
        var trace = new Argument<string?>("trace") { Arity = ArgumentArity.ZeroOrOne, Description = "Trace file ('-' for standard input; .gz and .zst read transparently)" };
        var format = new Option<string?>("--format") { Description = "Trace format: keys, txt, csv, lackey, oracleGeneral (default: guessed from the name)" };
        var refs = new Option<string?>("--refs") { Description = "A reference string instead of a file, e.g. 7,0,1,2,0,3" };
        var policy = new Option<string>("--policy") { Description = "Comma-separated policies (see mmsim policies); 'none' for only a miss-ratio curve", DefaultValueFactory = _ => "lru" };
        var frames = new Option<string?>("--frames") { Description = "Comma-separated memory sizes in frames; N% means N percent of the distinct pages (default 10%)" };
        var jobs = new Option<int>("--jobs") { Description = "Parallel replays (default: number of cores)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV" };
        var plot = new Option<string?>("--plot") { Description = "Write the miss-ratio curves to this PNG file" };
        var explain = new Option<bool>("--explain") { Description = "Print the textbook table (frames after each reference, faults marked); short traces only" };
        var mrc = new Option<bool>("--mrc") { Description = "Also compute the exact LRU miss-ratio curve for every size in one pass (stack distances)" };
        var shards = new Option<double?>("--shards") { Description = "Compute the LRU miss-ratio curve by SHARDS spatial sampling at this rate (e.g. 0.01), with its error" };
        var pageSize = new Option<long>("--page-size") { Description = "lackey: page size in bytes", DefaultValueFactory = _ => 4096 };
        var noInstr = new Option<bool>("--no-instructions") { Description = "lackey: drop instruction fetches (I lines)" };
        var csvCol = new Option<int>("--csv-id-column") { Description = "csv: 1-based column of the id", DefaultValueFactory = _ => 1 };
        var csvHeader = new Option<bool>("--csv-header") { Description = "csv: the first line is a header" };
        var csvDelim = new Option<string>("--csv-delimiter") { Description = "csv: field delimiter (one character; 'tab' for a tab)", DefaultValueFactory = _ => "," };
        var csvHash = new Option<bool>("--csv-id-hash") { Description = "csv: ids are strings; hash them to 64 bits" };
        var d = new PolicyOptions();
        var clockBits = new Option<int>("--clock-bits") { Description = "clock: bits of the reference counter", DefaultValueFactory = _ => d.ClockBits };
        var seed = new Option<ulong>("--seed") { Description = "random, nru: generator seed", DefaultValueFactory = _ => d.Seed };
        var nruPeriod = new Option<int>("--nru-period") { Description = "nru: references between clears of the referenced bits", DefaultValueFactory = _ => d.NruPeriod };
        var twoQIn = new Option<double>("--2q-in") { Description = "2q: A1in share of the frames (Kin)", DefaultValueFactory = _ => d.TwoQIn };
        var twoQOut = new Option<double>("--2q-out") { Description = "2q: A1out ghost entries as a share of the frames (Kout)", DefaultValueFactory = _ => d.TwoQOut };
        var slru = new Option<double>("--slru-protected") { Description = "slru: protected segment's share of the frames", DefaultValueFactory = _ => d.SlruProtected };
        var lirsHir = new Option<double>("--lirs-hir") { Description = "lirs: resident HIR share of the frames", DefaultValueFactory = _ => d.LirsHir };
        var s3Small = new Option<double>("--s3fifo-small") { Description = "s3fifo: small queue's share of the frames", DefaultValueFactory = _ => d.S3Small };
        var s3Ghost = new Option<double>("--s3fifo-ghost") { Description = "s3fifo: ghost entries as a share of the frames", DefaultValueFactory = _ => d.S3Ghost };
        var s3Thr = new Option<int>("--s3fifo-threshold") { Description = "s3fifo: hits in the small queue needed to move to main", DefaultValueFactory = _ => d.S3Threshold };
        var linuxInactive = new Option<double>("--linux-inactive") { Description = "linux: target inactive share of resident pages", DefaultValueFactory = _ => d.LinuxInactive };
        var mglruGens = new Option<int>("--mglru-gens") { Description = "mglru: number of generations", DefaultValueFactory = _ => d.MglruGens };

        cmd.Arguments.Add(trace);
        foreach (var o in new Option[] { format, refs, policy, frames, jobs, json, csv, plot, explain, mrc, shards, pageSize,
                     noInstr, csvCol, csvHeader, csvDelim, csvHash, clockBits, seed, nruPeriod, twoQIn, twoQOut, slru,
                     lirsHir, s3Small, s3Ghost, s3Thr, linuxInactive, mglruGens })
            cmd.Options.Add(o);

        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string? path = parse.GetValue(trace);
            string? refString = parse.GetValue(refs);
            var popt = new PolicyOptions
            {
                ClockBits = parse.GetValue(clockBits),
                Seed = parse.GetValue(seed),
                NruPeriod = parse.GetValue(nruPeriod),
                TwoQIn = parse.GetValue(twoQIn),
                TwoQOut = parse.GetValue(twoQOut),
                SlruProtected = parse.GetValue(slru),
                LirsHir = parse.GetValue(lirsHir),
                S3Small = parse.GetValue(s3Small),
                S3Ghost = parse.GetValue(s3Ghost),
                S3Threshold = parse.GetValue(s3Thr),
                LinuxInactive = parse.GetValue(linuxInactive),
                MglruGens = parse.GetValue(mglruGens),
            };
            popt.Validate();
            var policies = (parse.GetValue(policy) ?? "lru")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (policies.Length == 0) throw new InputException("--policy", 0, "expected at least one policy");
            bool curveOnly = policies.Length == 1 && policies[0].Equals("none", StringComparison.OrdinalIgnoreCase);
            if (curveOnly) policies = [];
            foreach (var p in policies) PolicyRegistry.Get(p);
            int jobCount = parse.GetValue(jobs);
            if (jobCount < 0) throw new InputException("--jobs", 0, $"expected a positive number, got {jobCount}");
            double? shardRate = parse.GetValue(shards);
            if (shardRate is double sr && !(sr > 0 && sr <= 1))
                throw new InputException("--shards", 0, $"expected a sampling rate in (0, 1], got {sr.ToString(CultureInfo.InvariantCulture)}");

            ReplayTrace t;
            string formatName;
            if (refString != null)
            {
                if (path != null) throw new InputException("command line", 0, "give either a trace file or --refs, not both");
                t = TraceLoader.FromRefs(refString);
                formatName = "refs";
            }
            else
            {
                if (path == null) throw new InputException("command line", 0, "expected a trace file (or - for standard input) or --refs");
                string? f = parse.GetValue(format);
                var fmt = f != null ? TraceOptions.Parse(f) : TraceOptions.Guess(path);
                long ps = parse.GetValue(pageSize);
                if (ps <= 0) throw new InputException("--page-size", 0, $"expected a positive number of bytes, got {ps}");
                string delim = parse.GetValue(csvDelim) ?? ",";
                if (delim == "tab") delim = "\t";
                if (delim.Length != 1) throw new InputException("--csv-delimiter", 0, $"expected one character, got '{delim}'");
                int col = parse.GetValue(csvCol);
                if (col < 1) throw new InputException("--csv-id-column", 0, $"expected a 1-based column number, got {col}");
                var topt = new TraceOptions
                {
                    Format = fmt,
                    PageSize = ps,
                    NoInstructions = parse.GetValue(noInstr),
                    CsvIdColumn = col,
                    CsvHeader = parse.GetValue(csvHeader),
                    CsvDelimiter = delim[0],
                    CsvIdIsNumber = !parse.GetValue(csvHash),
                };
                formatName = TraceOptions.Name(fmt);
                if (curveOnly && shardRate is double streamRate && !parse.GetValue(mrc))
                {
                    // Too large to hold: stream it, keeping only the sampled references.
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    MissRatioCurve sc;
                    long requests;
                    using (var reader = TraceLoader.Open(path, topt)) sc = MissRatioCurve.Shards(reader, streamRate, out requests);
                    var sizesS = ReplayRunner.ParseFrames(parse.GetValue(frames) ?? "10%", () => (int)Math.Min(int.MaxValue, sc.EstimatedDistinct));
                    ReplayOutput.WriteStreamedCurve(output, path, formatName, requests, sc, sizesS, sw.Elapsed.TotalSeconds, parse.GetValue(json));
                    return 0;
                }
                t = TraceLoader.Load(path, topt);
            }
            if (t.Count == 0) throw new InputException(t.Name, 0, "the trace has no references");
            var sizes = ReplayRunner.ParseFrames(parse.GetValue(frames) ?? "10%", () => t.Distinct);

            if (parse.GetValue(explain))
            {
                if (t.Count > 64) throw new InputException("--explain", 0, $"is for short reference strings (at most 64 references), this trace has {t.Count}");
                ReplayOutput.WriteExplain(output, t, policies, sizes, popt);
                return 0;
            }

            var report = ReplayRunner.Run(t, policies, sizes, popt, jobCount);
            MissRatioCurve? curve = null;
            if (parse.GetValue(mrc)) curve = MissRatioCurve.Exact(t.Keys);
            else if (shardRate is double rate) curve = MissRatioCurve.Shards(t.Keys, rate, sizes);

            string? plotPath = parse.GetValue(plot);
            if (plotPath != null) ReplayPlot.Write(plotPath, report, curve);

            if (parse.GetValue(json)) ReplayOutput.WriteJson(output, report, formatName, curve, sizes);
            else if (parse.GetValue(csv)) ReplayOutput.WriteCsv(output, report);
            else ReplayOutput.WriteTable(output, report, formatName, curve, sizes);
            return 0;
        });
        return cmd;
    }
}

/// <summary>Formatting of replay results (table, JSON, CSV, the textbook table).</summary>
internal static class ReplayOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static IAnsiConsole Console(TextWriter w)
    {
        var c = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(w),
            Interactive = InteractionSupport.No,
        });
        c.Profile.Width = 160;
        return c;
    }

    public static void WriteTable(TextWriter w, ReplayReport r, string format, MissRatioCurve? curve, IReadOnlyList<int> sizes)
    {
        w.WriteLine($"trace {r.Trace.Name} ({format}): {r.Trace.Count.ToString("N0", Inv)} references, {r.Trace.Distinct.ToString("N0", Inv)} distinct pages");
        if (r.Results.Count > 0)
        {
            var table = new Table().AddColumns("policy", "frames", "hits", "misses", "miss ratio");
            foreach (var c in table.Columns.Skip(1)) c.RightAligned();
            foreach (var x in r.Results)
                table.AddRow(x.Policy, x.Frames.ToString(Inv), x.Hits.ToString(Inv), x.Misses.ToString(Inv), x.MissRatio.ToString("F4", Inv));
            Console(w).Write(table);
        }
        if (curve != null) WriteCurveTable(w, curve, sizes.ToList());
        if (r.Results.Count > 0)
            w.WriteLine($"{r.Results.Count} replays in {r.Seconds.ToString("F3", Inv)} s, {r.RequestsPerSecond.ToString("N0", Inv)} requests/s");
    }

    private static void WriteCurveTable(TextWriter w, MissRatioCurve curve, List<int> sizes)
    {
        w.WriteLine(curve.Description);
        bool sampled = curve.Method != "exact";
        var t = new Table().AddColumns("frames", "LRU miss ratio");
        if (sampled) t.AddColumn("note");
        foreach (var c in t.Columns.Take(2)) c.RightAligned();
        foreach (int f in curve.SamplePoints(sizes))
        {
            var row = new List<string> { f.ToString(Inv), curve.MissRatio(f).ToString("F4", Inv) };
            if (sampled) row.Add(curve.IsReliable(f) ? "" : "under 100 sampled frames: biased, raise --shards");
            t.AddRow(row.ToArray());
        }
        Console(w).Write(t);
    }

    public static void WriteStreamedCurve(TextWriter w, string trace, string format, long requests, MissRatioCurve c,
        IReadOnlyList<int> sizes, double seconds, bool json)
    {
        if (!json)
        {
            w.WriteLine($"trace {trace} ({format}): {requests.ToString("N0", Inv)} references, about {c.EstimatedDistinct.ToString("N0", Inv)} distinct pages (estimated from the sample)");
            WriteCurveTable(w, c, sizes.ToList());
            w.WriteLine($"streamed in {seconds.ToString("F3", Inv)} s, {(requests / Math.Max(seconds, 1e-9)).ToString("N0", Inv)} requests/s");
            return;
        }
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("trace", trace);
            j.WriteString("format", format);
            j.WriteNumber("requests", requests);
            j.WriteNumber("distinct", c.EstimatedDistinct);
            j.WriteStartArray("results");
            j.WriteEndArray();
            WriteCurveJson(j, c, sizes);
            j.WriteNumber("seconds", seconds);
            j.WriteNumber("requests_per_second", requests / Math.Max(seconds, 1e-9));
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static void WriteCurveJson(Utf8JsonWriter j, MissRatioCurve curve, IReadOnlyList<int> sizes) =>
        ReplayJson.WriteCurve(j, curve, sizes);

    public static void WriteCsv(TextWriter w, ReplayReport r)
    {
        w.WriteLine("trace,policy,frames,hits,misses,miss_ratio");
        foreach (var x in r.Results)
            w.WriteLine($"{Quote(r.Trace.Name)},{x.Policy},{x.Frames},{x.Hits},{x.Misses},{x.MissRatio.ToString("R", Inv)}");
    }

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    public static void WriteJson(TextWriter w, ReplayReport r, string format, MissRatioCurve? curve, IReadOnlyList<int> sizes) =>
        w.WriteLine(ReplayJson.Document(r, format, curve, sizes));

    public static void WriteExplain(TextWriter w, ReplayTrace t, IReadOnlyList<string> policies, IReadOnlyList<int> sizes, PolicyOptions opt)
    {
        var con = Console(w);
        con.Profile.Width = Math.Max(160, 12 + 5 * t.Count);
        foreach (var name in policies)
            foreach (int f in sizes)
            {
                var p = PolicyRegistry.Create(name, f, opt, t);
                var steps = Explain.Run(p, t.Keys);
                w.WriteLine($"{name}, {f} frames: {p.Misses} faults, {p.Hits} hits");
                var table = new Table().Border(TableBorder.Ascii);
                table.AddColumn("ref");
                foreach (var s in steps) table.AddColumn(new TableColumn(s.Page.ToString(Inv)).Centered());
                for (int fr = 0; fr < f; fr++)
                    table.AddRow(new[] { $"frame {fr}" }.Concat(steps.Select(s => s.Frames[fr]?.ToString(Inv) ?? "")).ToArray());
                table.AddRow(new[] { "fault" }.Concat(steps.Select(s => s.Fault ? "*" : "")).ToArray());
                table.AddRow(new[] { "evicted" }.Concat(steps.Select(s => s.Evicted?.ToString(Inv) ?? "")).ToArray());
                con.Write(table);
                w.WriteLine();
            }
    }
}
