using System.Text.Json;
using MmSim.Tests.Replay;

namespace MmSim.Tests.Sweep;

/// <summary>Shared helpers of the sweep tests: a temporary folder with the test traces and a sweep file, the CLI
/// run in-process, and the reference numbers from <c>mmsim replay</c> of each cell alone.</summary>
internal static class SweepKit
{
    public static (int Code, string Out, string Err) Mmsim(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>A fresh temporary folder (world-readable: the Slurm test's daemons read it).</summary>
    public static string TempDir(string prefix)
    {
        var d = Directory.CreateTempSubdirectory("mmsim-" + prefix + "-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(d, (UnixFileMode)0b111_101_101);
        return d;
    }

    /// <summary>The trace sweep of these tests: 4 traces (oracleGeneral, zstd txt, and two lackey traces through a
    /// glob) × 7 policies (one with a parameter, OPT, LIRS) × 3 sizes = 84 cells.</summary>
    public const string TraceSweep = """
        name: test-mrc
        traces:
          - { path: traces/cloudPhysicsIO.oracleGeneral.bin.gz, format: oracleGeneral }
          - { path: traces/cloudPhysicsIO.txt.zst, format: txt }
          - { path: traces/*.trace, format: lackey, page_size: 4KiB }
        policies: [lru, fifo, arc, s3fifo, { name: clock, bits: 2 }, opt, lirs]
        frames: [1%, 10%, 500]
        """;

    public static readonly string[] TraceFiles = ["cloudPhysicsIO.oracleGeneral.bin.gz", "cloudPhysicsIO.txt.zst", "trans.trace", "yi.trace"];

    /// <summary>Writes the sweep file and copies the traces into <paramref name="dir"/>; returns the sweep file.</summary>
    public static string WriteTraceSweep(string dir, string text = TraceSweep)
    {
        Directory.CreateDirectory(Path.Combine(dir, "traces"));
        foreach (var f in TraceFiles) File.Copy(ReplayTestData.PathOf(f), Path.Combine(dir, "traces", f), overwrite: true);
        string path = Path.Combine(dir, "sweep.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    public static string WriteFile(string dir, string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>One row of a merged result, as compared with <c>mmsim replay</c>.</summary>
    public sealed record Row(string Trace, string Policy, string Params, int Frames, long Requests, long Hits, long Misses, double MissRatio);

    /// <summary>What <c>mmsim replay TRACE --format F --policy P [params] --frames SPEC --json</c> prints, for every
    /// cell of <see cref="TraceSweep"/>, in cell order. Computed once.</summary>
    public static IReadOnlyList<Row> Reference => LazyReference.Value;

    private static readonly Lazy<IReadOnlyList<Row>> LazyReference = new(() =>
    {
        string dir = TempDir("ref");
        WriteTraceSweep(dir);
        var traces = new (string Path, string Format)[]
        {
            ("traces/cloudPhysicsIO.oracleGeneral.bin.gz", "oracleGeneral"), ("traces/cloudPhysicsIO.txt.zst", "txt"),
            ("traces/trans.trace", "lackey"), ("traces/yi.trace", "lackey"),
        };
        var policies = new (string Name, string Params, string[] Args)[]
        {
            ("lru", "", []), ("fifo", "", []), ("arc", "", []), ("s3fifo", "", []), ("clock", "bits=2", ["--clock-bits", "2"]),
            ("opt", "", []), ("lirs", "", []),
        };
        var rows = new List<Row>();
        foreach (var (t, fmt) in traces)
            foreach (var (p, pars, extra) in policies)
                foreach (var f in new[] { "1%", "10%", "500" })
                {
                    var args = new List<string> { "replay", Path.Combine(dir, t), "--format", fmt, "--policy", p, "--frames", f, "--json" };
                    if (fmt == "lackey") args.AddRange(["--page-size", "4096"]);
                    args.AddRange(extra);
                    var (code, output, err) = Mmsim(args.ToArray());
                    Assert.True(code == 0, err);
                    using var doc = JsonDocument.Parse(output);
                    var r = doc.RootElement.GetProperty("results")[0];
                    rows.Add(new Row(t, r.GetProperty("policy").GetString()!, pars, r.GetProperty("frames").GetInt32(),
                        doc.RootElement.GetProperty("requests").GetInt64(), r.GetProperty("hits").GetInt64(),
                        r.GetProperty("misses").GetInt64(), r.GetProperty("miss_ratio").GetDouble()));
                }
        Directory.Delete(dir, true);
        return rows;
    });

    /// <summary>The rows of <c>sweep merge DIR --json</c>, asserting it exits 0.</summary>
    public static List<Row> MergedRows(string outDir)
    {
        var (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.GetProperty("results").EnumerateArray().Select(r => new Row(
            r.GetProperty("trace").GetString()!, r.GetProperty("policy").GetString()!,
            r.TryGetProperty("params", out var p) ? p.GetString()! : "", r.GetProperty("frames").GetInt32(),
            r.GetProperty("requests").GetInt64(), r.GetProperty("hits").GetInt64(), r.GetProperty("misses").GetInt64(),
            r.GetProperty("miss_ratio").GetDouble())).ToList();
    }

    /// <summary>The command that runs this build's mmsim as a child process: the dotnet host and mmsim.dll, by
    /// absolute paths.</summary>
    public static string MmsimCommand()
    {
        string dll = typeof(MmSim.Cli.Program).Assembly.Location;
        string host = Environment.ProcessPath is { } pp && Path.GetFileNameWithoutExtension(pp) == "dotnet" ? pp : "/usr/bin/dotnet";
        if (!File.Exists(host)) host = "dotnet";
        return $"{host} {dll}";
    }

    /// <summary>The scenario sweep of the resume and Slurm tests: swap-before-oom × 11 swappiness values × 3
    /// swap sizes = 33 cells, each a fraction of a second.</summary>
    public const string ScenarioSweep = """
        name: swap-grid
        scenario: swap-before-oom
        grid:
          vm.swappiness: [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]
          machine.swap: [0, 64MiB, 512MiB]
        """;
}
