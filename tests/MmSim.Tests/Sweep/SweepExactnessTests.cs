using System.Text.Json;
using MmSim.Sweep;
using Parquet;
using Parquet.Schema;
using static MmSim.Tests.Sweep.SweepKit;

namespace MmSim.Tests.Sweep;

public class SweepExactnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void EveryShardCountGivesExactlyTheSingleReplays(int shards)
    {
        string dir = TempDir("exact");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        for (int i = 0; i < shards; i++)
        {
            var (code, output, err) = Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", $"{i}/{shards}", "--jobs", "2");
            Assert.True(code == 0, err);
            Assert.StartsWith($"shard {i}/{shards}: ", output);
        }
        var rows = MergedRows(outDir);
        Assert.Equal(84, rows.Count);
        Assert.Equal(Reference, rows);
        // Cell order is trace-major; the glob's matches come sorted.
        Assert.Equal("traces/trans.trace", rows[42].Trace);
        Assert.Equal("traces/yi.trace", rows[63].Trace);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MergedTablesAreTheSameBytesWhateverTheShardCount()
    {
        string dir = TempDir("bytes");
        string sweep = WriteTraceSweep(dir);
        var csv = new List<byte[]>();
        foreach (int n in new[] { 1, 4 })
        {
            string outDir = Path.Combine(dir, $"out{n}");
            for (int i = 0; i < n; i++) Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", $"{i}/{n}").Code);
            var (code, output, err) = Mmsim("sweep", "merge", outDir);
            Assert.True(code == 0, err);
            Assert.Contains("all 84 cells", output);
            csv.Add(File.ReadAllBytes(Path.Combine(outDir, "results.csv")));
        }
        Assert.Equal(csv[0], csv[1]);
        var lines = System.Text.Encoding.UTF8.GetString(csv[0]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("cell,trace,policy,params,frames_spec,frames,requests,hits,misses,miss_ratio", lines[0]);
        Assert.Equal(85, lines.Length);
        var r = Reference[12]; // cloudPhysicsIO oracleGeneral, clock bits=2, 1%
        Assert.Equal($"c000012,traces/cloudPhysicsIO.oracleGeneral.bin.gz,clock,bits=2,1%,{r.Frames},{r.Requests},{r.Hits},{r.Misses},{r.MissRatio:R}", lines[13]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ParquetHoldsTheSameRowsAsTheCsv()
    {
        string dir = TempDir("parquet");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir).Code);
        Assert.Equal(0, Mmsim("sweep", "merge", outDir).Code);
        await using var fs = File.OpenRead(Path.Combine(outDir, "results.parquet"));
        await using var reader = await ParquetReader.CreateAsync(fs);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(SweepTables.TraceColumns, fields.Select(f => f.Name));
        using var g = reader.OpenRowGroupReader(0);
        Assert.Equal(84, g.RowCount);
        var hits = new long[84];
        await g.ReadAsync(fields[7], hits.AsMemory());
        var policies = new string?[84];
        await g.ReadAsync(fields[2], policies.AsMemory());
        var frames = new int[84];
        await g.ReadAsync(fields[5], frames.AsMemory());
        Assert.Equal(Reference.Select(x => x.Hits), hits);
        Assert.Equal(Reference.Select(x => x.Policy), policies);
        Assert.Equal(Reference.Select(x => x.Frames), frames);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ScenarioCellsEqualMmsimRunWithTheSameSettings()
    {
        string dir = TempDir("scen");
        string sweep = WriteFile(dir, "grid.yaml", """
            name: small-grid
            scenario: swap-before-oom
            grid: { vm.swappiness: [0, 100], machine.swap: [0, 64MiB] }
            """);
        string outDir = Path.Combine(dir, "out");
        for (int i = 0; i < 3; i++) Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", $"{i}/3").Code);
        var (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        var combos = new[] { ("0", "0"), ("0", "64MiB"), ("100", "0"), ("100", "64MiB") };
        for (int i = 0; i < 4; i++)
        {
            var (sw, swap) = combos[i];
            var settings = results[i].GetProperty("settings");
            Assert.Equal(sw, settings.GetProperty("vm.swappiness").GetString());
            Assert.Equal(swap, settings.GetProperty("machine.swap").GetString());
            var run = Mmsim("run", "swap-before-oom", "--set", $"vm.swappiness={sw}", "--set", $"machine.swap={swap}", "--json");
            Assert.Equal(0, run.Code);
            using var single = JsonDocument.Parse(run.Out);
            // The stored report is the whole `mmsim run --json` document (compared without the indentation).
            string stored = Directory.GetFiles(Path.Combine(outDir, "results"), "pack.*.jsonl").SelectMany(File.ReadAllLines)
                .Single(l => l.StartsWith($"{{\"cell\":\"c{i:D6}\""));
            using var cell = JsonDocument.Parse(stored);
            Assert.Equal(JsonSerializer.Serialize(single.RootElement), cell.RootElement.GetProperty("report").GetRawText());
            var vmstat = single.RootElement.GetProperty("vmstat");
            foreach (var c in CellResult.ScenarioCounters)
                Assert.Equal(vmstat.TryGetProperty(c, out var v) ? v.GetInt64() : 0, results[i].GetProperty("counters").GetProperty(c).GetInt64());
        }
        // Without swap the OOM killer runs; with swap it does not.
        Assert.Equal(1, results[0].GetProperty("counters").GetProperty("oom_kill").GetInt64());
        Assert.True(results[1].GetProperty("counters").GetProperty("pswpout").GetInt64() > 0);
        var csv = File.ReadAllLines(Path.Combine(outDir, "results.csv"));
        Assert.StartsWith("cell,scenario,vm.swappiness,machine.swap,pgfault,", csv[0]);
        Assert.Equal(5, csv.Length);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ReportPlotsAPng()
    {
        string dir = TempDir("plot");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir).Code);
        string png = Path.Combine(dir, "mrc.png");
        var (code, output, err) = Mmsim("sweep", "report", outDir, "--plot", png);
        Assert.True(code == 0, err);
        Assert.Contains("84 of 84 cells", output);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 20_000, $"{bytes.Length} bytes: four panels of curves expected");
        Directory.Delete(dir, true);
    }
}
