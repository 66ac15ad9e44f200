using System.Diagnostics;
using System.Text.Json;
using static MmSim.Tests.Sweep.SweepKit;

namespace MmSim.Tests.Sweep;

public class SweepResumeTests
{
    [Fact]
    public void MergeNamesMissingAndDuplicatedCellsAndExits1()
    {
        string dir = TempDir("merge");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        for (int i = 0; i < 3; i++) Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", $"{i}/3").Code);
        string results = Path.Combine(outDir, "results");
        // Each shard packed its cells into one file at its end.
        var packs = Directory.GetFiles(results).Order().ToList();
        Assert.Equal(3, packs.Count);
        Assert.All(packs, p => Assert.Matches(@"/pack\.s[012]of3\.[0-9-]+\.jsonl$", p));
        Assert.Equal(84, packs.Sum(p => File.ReadAllLines(p).Length));

        // Lose c000005's result (shard 0's pack holds it).
        string pack0 = packs.Single(p => p.Contains("pack.s0of3."));
        var lines = File.ReadAllLines(pack0).ToList();
        string c5 = lines.Single(l => l.StartsWith("{\"cell\":\"c000005\""));
        lines.Remove(c5);
        File.WriteAllLines(pack0, lines);
        var (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.Equal(1, code);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal(84, doc.RootElement.GetProperty("cells").GetInt32());
            Assert.Equal(83, doc.RootElement.GetProperty("done").GetInt32());
            Assert.Equal(["c000005"], doc.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Contains("1 of 84 cells missing: c000005 (traces/cloudPhysicsIO.oracleGeneral.bin.gz fifo 500)", err);
        Assert.False(File.Exists(Path.Combine(outDir, "results.csv")));

        // Shard 0 of 3 holds c000005 (the first 14 cells of the oracleGeneral trace, one chunk, and all of
        // trans.trace's 21); rerunning it does that one cell.
        (code, output, err) = Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "0/3");
        Assert.True(code == 0, err);
        Assert.Equal("shard 0/3: 35 cells, 34 already done, 1 run, 0 failed\n", output);

        Assert.Equal(4, Directory.GetFiles(results).Length); // the rerun's pack of one cell
        Assert.Equal(c5, File.ReadAllText(Directory.GetFiles(results).Except(packs).Single()).TrimEnd('\n'));

        // A cell stored by two different splits (two shard runs that overlapped) is named as duplicated.
        string c7 = File.ReadAllLines(packs[0]).Single(l => l.StartsWith("{\"cell\":\"c000007\""));
        File.WriteAllText(Path.Combine(results, "c000007.s0of1.json"), c7);
        (code, _, err) = Mmsim("sweep", "merge", outDir);
        Assert.Equal(1, code);
        Assert.Matches(@"cell c000007 \(traces/cloudPhysicsIO.oracleGeneral.bin.gz arc 10%\) is duplicated: c000007.s0of1.json, pack.s0of3.[0-9-]+.jsonl", err);
        File.Delete(Path.Combine(results, "c000007.s0of1.json"));
        Assert.Equal(0, Mmsim("sweep", "merge", outDir).Code);
        Assert.Equal(Reference, MergedRows(outDir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AFailedCellIsRecordedNamedByMergeAndRetried()
    {
        string dir = TempDir("fail");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "0/2").Code);
        // The trace is damaged after the folder was planned (a bad copy on one node, say). Shard 1 holds all of
        // yi.trace's 21 cells (a trace's cells stay together: the chunks are the four traces' 21 cells each).
        string yi = Path.Combine(dir, "traces", "yi.trace");
        byte[] good = File.ReadAllBytes(yi);
        File.WriteAllText(yi, " L 0400xyz,4\n");
        var (code, output, err) = Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "1/2");
        Assert.Equal(1, code);
        Assert.Equal("shard 1/2: 42 cells, 0 already done, 21 run, 21 failed\n", output);
        Assert.Contains($"mmsim: cell c000064 (traces/yi.trace lru 10%) failed: {yi}:1: expected a hex address and a decimal size ('L hexaddr,size'), got 'L 0400xyz,4'", err);
        (code, output, _) = Mmsim("sweep", "status", outDir);
        Assert.Contains("63 of 84 cells done, 21 failed (2 shards)", output);
        (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.Equal(1, code);
        Assert.Contains("21 of 84 cells missing", err);
        using (var doc = JsonDocument.Parse(output))
            Assert.StartsWith($"{yi}:1: expected a hex address", doc.RootElement.GetProperty("failed").GetProperty("c000064").GetString());

        File.WriteAllBytes(yi, good);
        (code, output, err) = Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "1/2");
        Assert.True(code == 0, err);
        Assert.Equal("shard 1/2: 42 cells, 21 already done, 21 run, 0 failed\n", output);
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "results"), "*.failed"));
        Assert.Equal(Reference, MergedRows(outDir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void StatusCountsCellsPerShard()
    {
        string dir = TempDir("status");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "1/3").Code);
        var (code, output, err) = Mmsim("sweep", "status", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("35 of 84 cells done, 0 failed (3 shards)", output);
        Assert.Matches(@"│ 0\s+│\s+35 │\s+0 │\s+0 │\s+35 │", output);
        Assert.Matches(@"│ 1\s+│\s+35 │\s+35 │\s+0 │\s+0 │", output);
        Assert.Matches(@"│ 2\s+│\s+14 │\s+0 │\s+0 │\s+14 │", output);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AShardKilledMidRunLeavesWholeResultsAndItsRerunDoesTheRest()
    {
        string dir = TempDir("kill");
        string sweep = WriteFile(dir, "grid.yaml", ScenarioSweep);
        string outDir = Path.Combine(dir, "out");
        var cmd = MmsimCommand().Split(' ');
        var psi = new ProcessStartInfo(cmd[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in cmd.Skip(1).Concat(["sweep", "run", sweep, "--out", outDir, "--jobs", "1"])) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        string results = Path.Combine(outDir, "results");
        var sw = Stopwatch.StartNew();
        while (!(Directory.Exists(results) && Directory.GetFiles(results, "*.json").Length >= 2))
        {
            if (child.HasExited) Assert.Fail("the child finished before it could be killed: " + child.StandardError.ReadToEnd());
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), "no result after two minutes");
            Thread.Sleep(20);
        }
        child.Kill(); // SIGKILL, mid-cell: no handler runs
        child.WaitForExit();
        int before = Directory.GetFiles(results, "*.json").Length;
        Assert.InRange(before, 2, 32);
        foreach (var f in Directory.GetFiles(results, "*.json")) JsonDocument.Parse(File.ReadAllBytes(f)).Dispose();

        var (code, output, err) = Mmsim("sweep", "merge", outDir);
        Assert.Equal(1, code);
        Assert.Contains($"{33 - before} of 33 cells missing", err);

        (code, output, err) = Mmsim("sweep", "run", sweep, "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Equal($"shard 0/1: 33 cells, {before} already done, {33 - before} run, 0 failed\n", output);
        (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(33, rows.Count);
        // Spot-check against mmsim run alone: the first cell (done before the kill) and the last (after).
        foreach (var (i, sw2, swap) in new[] { (0, "0", "0"), (32, "200", "512MiB") })
        {
            var run = Mmsim("run", "swap-before-oom", "--set", $"vm.swappiness={sw2}", "--set", $"machine.swap={swap}", "--json");
            using var single = JsonDocument.Parse(run.Out);
            var vmstat = single.RootElement.GetProperty("vmstat");
            foreach (var c in new[] { "pswpout", "pgscan_kswapd", "pgsteal_direct", "oom_kill" })
                Assert.Equal(vmstat.TryGetProperty(c, out var v) ? v.GetInt64() : 0, rows[i].GetProperty("counters").GetProperty(c).GetInt64());
        }
        Directory.Delete(dir, true);
    }
}
