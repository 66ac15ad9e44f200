using System.Text.Json;
using static MmSim.Tests.Replay.ReplayTestData;

namespace MmSim.Tests.Replay;

public class ReplayCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void JsonHasTheDocumentedShape()
    {
        var (code, output, err) = Run("replay", PathOf("cloudPhysicsIO.oracleGeneral.bin.gz"), "--format", "oracleGeneral",
            "--policy", "lru,fifo", "--frames", "100,1000,10%", "--json", "--jobs", "2");
        Assert.Equal("", err);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("oracleGeneral", root.GetProperty("format").GetString());
        Assert.Equal(113872, root.GetProperty("requests").GetInt64());
        Assert.Equal(48974, root.GetProperty("distinct").GetInt64());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(6, results.Count);
        Assert.Equal(["lru", "lru", "lru", "fifo", "fifo", "fifo"], results.Select(r => r.GetProperty("policy").GetString()));
        Assert.Equal([100, 1000, 4897, 100, 1000, 4897], results.Select(r => r.GetProperty("frames").GetInt32()));
        var lru1000 = results[1];
        Assert.Equal(19049, lru1000.GetProperty("hits").GetInt64());
        Assert.Equal(94823, lru1000.GetProperty("misses").GetInt64());
        Assert.Equal(94823.0 / 113872, lru1000.GetProperty("miss_ratio").GetDouble());
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("requests_per_second").GetDouble() >= 0);
    }

    [Fact]
    public void MrcJsonMatchesTheReplays()
    {
        var (code, output, err) = Run("replay", PathOf("cloudPhysicsIO.oracleGeneral.bin.gz"), "--format", "oracleGeneral",
            "--policy", "lru", "--frames", "1000,2000", "--mrc", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var mrc = doc.RootElement.GetProperty("mrc");
        Assert.Equal("exact", mrc.GetProperty("method").GetString());
        var points = mrc.GetProperty("points").EnumerateArray().ToDictionary(p => p.GetProperty("frames").GetInt32(), p => p.GetProperty("miss_ratio").GetDouble());
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
            Assert.Equal(r.GetProperty("miss_ratio").GetDouble(), points[r.GetProperty("frames").GetInt32()], 12);
    }

    [Fact]
    public void StreamedShardsWithoutPolicies()
    {
        var (code, output, err) = Run("replay", PathOf("cloudPhysicsIO.oracleGeneral.bin.gz"), "--format", "oracleGeneral",
            "--policy", "none", "--shards", "0.1", "--frames", "1000,20000", "--json");
        Assert.Equal("", err);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(113872, root.GetProperty("requests").GetInt64());
        Assert.Empty(root.GetProperty("results").EnumerateArray());
        var mrc = root.GetProperty("mrc");
        Assert.Equal("shards", mrc.GetProperty("method").GetString());
        Assert.True(mrc.GetProperty("error_estimate").GetDouble() > 0);
        var p20k = mrc.GetProperty("points").EnumerateArray().First(p => p.GetProperty("frames").GetInt32() == 20000);
        Assert.True(p20k.GetProperty("reliable").GetBoolean());
        Assert.InRange(p20k.GetProperty("miss_ratio").GetDouble(), 0.60, 0.66); // exact: 0.6328
    }

    [Fact]
    public void CsvOutput()
    {
        var (code, output, _) = Run("replay", "--refs", "1,2,3,4,1,2,5,1,2,3,4,5", "--policy", "fifo", "--frames", "3,4", "--csv");
        Assert.Equal(0, code);
        Assert.Equal("trace,policy,frames,hits,misses,miss_ratio\nrefs,fifo,3,3,9,0.75\nrefs,fifo,4,2,10,0.8333333333333334\n",
            output.Replace("\r\n", "\n"));
    }

    [Fact]
    public void ExplainPrintsTheTextbookTable()
    {
        var (code, output, _) = Run("replay", "--refs", "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", "--policy", "fifo", "--frames", "3", "--explain");
        Assert.Equal(0, code);
        var lines = output.Replace("\r\n", "\n").Split('\n');
        Assert.Equal("fifo, 3 frames: 15 faults, 5 hits", lines[0]);
        string Row(string label) => string.Join(" ", lines.First(l => l.StartsWith("| " + label)).Split('|', StringSplitOptions.TrimEntries).Skip(2).SkipLast(1).Select(c => c == "" ? "." : c));
        // The classic FIFO table (Silberschatz, Operating System Concepts, fig. 10.12).
        Assert.Equal("7 7 7 2 2 2 2 4 4 4 0 0 0 0 0 0 0 7 7 7", Row("frame 0"));
        Assert.Equal(". 0 0 0 0 3 3 3 2 2 2 2 2 1 1 1 1 1 0 0", Row("frame 1"));
        Assert.Equal(". . 1 1 1 1 0 0 0 3 3 3 3 3 2 2 2 2 2 1", Row("frame 2"));
        Assert.Equal("* * * * . * * * * * * . . * * . . * * *", Row("fault"));
    }

    [Fact]
    public void TableOutputAndPolicies()
    {
        var (code, output, _) = Run("replay", "--refs", "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1", "--policy", "fifo,lru,opt", "--frames", "3");
        Assert.Equal(0, code);
        Assert.Contains("20 references, 6 distinct pages", output);
        Assert.Contains("requests/s", output);
        var (pc, pout, _) = Run("policies");
        Assert.Equal(0, pc);
        foreach (var name in MmSim.Replay.PolicyRegistry.All.Select(p => p.Name)) Assert.Contains(name, pout);
    }

    [Theory]
    [InlineData("--frames", "0")]
    [InlineData("--policy", "bogus")]
    [InlineData("--format", "bogus")]
    [InlineData("--clock-bits", "0")]
    public void InvalidOptionsExitTwoWithAMessage(string option, string value)
    {
        var (code, output, err) = option == "--format"
            ? Run("replay", PathOf("yi.trace"), option, value)
            : Run("replay", PathOf("yi.trace"), "--format", "lackey", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("mmsim: ", err);
        Assert.Contains(value, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void MissingFileExitsTwo()
    {
        var (code, _, err) = Run("replay", "/nonexistent/trace.txt", "--format", "keys");
        Assert.Equal(2, code);
        Assert.Equal("mmsim: /nonexistent/trace.txt: no such file\n", err.Replace("\r\n", "\n"));
    }

    [Fact]
    public void MalformedTraceExitsTwoNamingTheLine()
    {
        string path = Path.Combine(TestTemp.Dir, $"mmsim-bad-{Environment.ProcessId}.txt");
        File.WriteAllText(path, "1\n2\nx3\n");
        try
        {
            var (code, _, err) = Run("replay", path, "--format", "keys");
            Assert.Equal(2, code);
            Assert.Equal($"mmsim: {path}:3: expected a page number (decimal, or hex with 0x), got 'x3'\n", err.Replace("\r\n", "\n"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void PlotWritesAPng()
    {
        string path = Path.Combine(TestTemp.Dir, $"mmsim-plot-{Environment.ProcessId}.png");
        try
        {
            var (code, _, err) = Run("replay", PathOf("cloudPhysicsIO.oracleGeneral.bin.gz"), "--format", "oracleGeneral",
                "--policy", "lru,fifo", "--frames", "500,1000,2000", "--plot", path, "--mrc");
            Assert.Equal("", err);
            Assert.Equal(0, code);
            var head = File.ReadAllBytes(path).Take(4).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, head);
        }
        finally { File.Delete(path); }
    }
}
