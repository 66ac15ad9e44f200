using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using MmSim.Sweep;
using static MmSim.Tests.Sweep.SweepKit;

namespace MmSim.Tests.Sweep;

/// <summary>Sweeps through a real Slurm cluster (see <see cref="SlurmCluster"/>): submitted as a job array by
/// <c>mmsim sweep slurm --submit --wait</c>, each task a separate mmsim process.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SlurmSweepTests(SlurmCluster cluster) : IClassFixture<SlurmCluster>
{
    [Fact]
    public void JobArrayGivesExactlyTheSingleReplays()
    {
        string dir = TempDir("slurm-exact");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        var (code, output, err) = Mmsim("sweep", "slurm", sweep, "--out", outDir, "--shards", "3", "--submit", "--wait",
            "--mmsim", MmsimCommand());
        Assert.True(code == 0, $"{err}\n{output}\n{Logs(outDir)}");
        Assert.Matches(@"submitted job \d+\n", output);
        for (int t = 0; t < 3; t++)
        {
            Assert.Contains($"task {t}: COMPLETED (exit 0:0)", output);
            int n = new[] { 35, 35, 14 }[t]; // traces kept together: 14 + 21, 14 + 21, 7 + 7 cells
            Assert.Equal($"shard {t}/3: {n} cells, 0 already done, {n} run, 0 failed\n", File.ReadAllText(Path.Combine(outDir, "logs", $"shard-{t}.out")));
        }
        Assert.Equal(Reference, MergedRows(outDir));
        Assert.True(File.Exists(Path.Combine(outDir, "results.parquet")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ACancelledTaskIsNamedByMergeAndItsRerunCompletesTheSweepExactly()
    {
        string dir = TempDir("slurm-kill");
        string sweep = WriteFile(dir, "grid.yaml", ScenarioSweep);
        string outDir = Path.Combine(dir, "out");
        var (code, output, err) = Mmsim("sweep", "slurm", sweep, "--out", outDir, "--shards", "3", "--submit", "--mmsim", MmsimCommand());
        Assert.True(code == 0, err);
        string job = Regex.Match(output, @"submitted job (\d+)").Groups[1].Value;

        // Cancel task 1 as soon as it has stored its first cell (11 cells of a fraction of a second each).
        string results = Path.Combine(outDir, "results");
        var sw = Stopwatch.StartNew();
        while (!(Directory.Exists(results) && Directory.EnumerateFiles(results, "*.s1of3.json").Any()))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(3), "task 1 stored no cell in three minutes\n" + Logs(outDir));
            Thread.Sleep(20);
        }
        SlurmCluster.Sh("scancel", $"{job}_1");
        var states = SlurmJobs.Wait(job, TimeSpan.FromMilliseconds(500));
        Assert.Equal([0, 1, 2], states.Select(s => s.Task));
        Assert.Equal("CANCELLED", states[1].State);
        Assert.True(states[0].Succeeded && states[2].Succeeded, string.Join(", ", states));

        var plan = SweepPlan.Enumerate(SweepParser.Load(sweep));
        var shard1 = ShardSplit.CellsOf(plan.Cells, ShardSplit.Assign(plan.Cells, 3), 1).Select(c => c.Id).ToList();
        Assert.Equal(11, shard1.Count);
        var done1 = Directory.GetFiles(results, "*.s1of3.json").Select(f => Path.GetFileName(f)[..7]).ToHashSet();
        Assert.InRange(done1.Count, 1, 10);
        (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.Equal(1, code);
        using (var doc = JsonDocument.Parse(output))
            Assert.Equal(shard1.Where(id => !done1.Contains(id)), doc.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains($"{11 - done1.Count} of 33 cells missing: {shard1.First(id => !done1.Contains(id))} (vm.swappiness=", err);

        // Rerun only that task: it does only the missing cells.
        (code, output, err) = Mmsim("sweep", "slurm", sweep, "--out", outDir, "--shards", "3", "--submit", "--wait", "--tasks", "1",
            "--mmsim", MmsimCommand());
        Assert.True(code == 0, $"{err}\n{output}\n{Logs(outDir)}");
        Assert.Contains("task 1: COMPLETED (exit 0:0)", output);
        Assert.Equal($"shard 1/3: 11 cells, {done1.Count} already done, {11 - done1.Count} run, 0 failed\n",
            File.ReadAllText(Path.Combine(outDir, "logs", "shard-1.out")));
        (code, output, err) = Mmsim("sweep", "merge", outDir, "--json");
        Assert.True(code == 0, err);

        // The same numbers as one process running the whole sweep.
        string single = Path.Combine(dir, "single");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", single).Code);
        var (code2, output2, err2) = Mmsim("sweep", "merge", single, "--json");
        Assert.True(code2 == 0, err2);
        Assert.Equal(output2, output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "results.csv")), File.ReadAllBytes(Path.Combine(outDir, "results.csv")));
        Directory.Delete(dir, true);
    }

    private string Logs(string outDir)
    {
        string logs = Path.Combine(outDir, "logs");
        return !Directory.Exists(logs) ? $"(cluster in {cluster.Dir})" : $"(cluster in {cluster.Dir})\n" + string.Join("\n", Directory.GetFiles(logs).Order().Select(f => $"--- {f}\n{File.ReadAllText(f)}"));
    }
}
