using CsCheck;
using MmSim.Sweep;
using static MmSim.Tests.Sweep.SweepKit;

namespace MmSim.Tests.Sweep;

public class SweepSplitTests
{
    private static List<SweepCell> Cells(params long[] costs) =>
        costs.Select((c, i) => new SweepCell(i, SweepCell.IdOf(i)) { Cost = c }).ToList();

    [Fact]
    public void LongestFirstToTheLeastLoadedShardTiesByIndex()
    {
        // Sorted: c0 5, c1 5, c2 4, c3 3, c4 3. c0->s0, c1->s1, c2->s0 (5 vs 5: lower shard), c3->s1 (9 vs 5),
        // c4->s1 (9 vs 8).
        Assert.Equal([0, 1, 0, 1, 1], ShardSplit.Assign(Cells(5, 5, 4, 3, 3), 2));
        // Equal costs: round robin in cell order.
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], ShardSplit.Assign(Cells(1, 1, 1, 1, 1, 1, 1), 3));
        // More shards than cells: the extra shards stay empty.
        Assert.Equal([1, 0], ShardSplit.Assign(Cells(2, 3), 4));
    }

    [Fact]
    public void A_traces_cells_stay_together_so_each_shard_reads_it_once()
    {
        // Two traces of 4 cells costing 10 each, 2 shards: one chunk per trace (40 ≤ the mean load 40), one shard each.
        var cells = Enumerable.Range(0, 8)
            .Select(i => new SweepCell(i, SweepCell.IdOf(i)) { Cost = 10, Trace = i < 4 ? "a" : "b" }).ToList();
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], ShardSplit.Assign(cells, 2));
        // Three shards: the mean is 27, so each trace is cut after two cells (20) and the four chunks are dealt
        // largest first, ties by first cell: a0-1 → s0, a2-3 → s1, b4-5 → s2, b6-7 → s0 (the least loaded).
        Assert.Equal([0, 0, 1, 1, 2, 2, 0, 0], ShardSplit.Assign(cells, 3));
    }

    [Fact]
    public void SplitIsDeterministicCompleteAndWithinGrahamsBound()
    {
        Gen.Select(Gen.Long[1, 1_000_000].Array[1, 300], Gen.Int[1, 40]).Sample((costs, n) =>
        {
            var cells = Cells(costs);
            var a = ShardSplit.Assign(cells, n);
            var b = ShardSplit.Assign(Cells(costs), n);
            if (!a.SequenceEqual(b)) return false;
            if (a.Any(s => s < 0 || s >= n)) return false;
            var loads = new long[n];
            for (int i = 0; i < costs.Length; i++) loads[a[i]] += costs[i];
            // Greedy list scheduling: no shard exceeds the mean by more than one cell's cost (Graham 1966).
            return loads.Max() <= (double)costs.Sum() / n + costs.Max() && loads.Sum() == costs.Sum();
        }, iter: 300);
    }

    [Fact]
    public void TheSameFileGivesTheSameSplitInAnotherFolder()
    {
        string d1 = TempDir("split1"), d2 = TempDir("split2");
        var p1 = SweepPlan.Enumerate(SweepParser.Load(WriteTraceSweep(d1)));
        var p2 = SweepPlan.Enumerate(SweepParser.Load(WriteTraceSweep(d2)));
        p1.CountRequests();
        p2.CountRequests();
        Assert.Equal(p1.Cells.Select(c => (c.Id, c.Describe(), c.Cost)), p2.Cells.Select(c => (c.Id, c.Describe(), c.Cost)));
        Assert.Equal(ShardSplit.Assign(p1.Cells, 7), ShardSplit.Assign(p2.Cells, 7));
        Assert.Equal(113872, p1.Cells[0].Cost);
        Assert.Equal(84, p1.Cells.Count);
        var (code, output, _) = Mmsim("sweep", "plan", Path.Combine(d1, "sweep.yaml"), "--shards", "3");
        Assert.Equal(0, code);
        Assert.Contains("4 traces × 7 policies × 3 sizes = 84 cells", output);
        Directory.Delete(d1, true);
        Directory.Delete(d2, true);
    }

    [Fact]
    public void ShardAutoReadsSlurmOrKubernetes()
    {
        var env = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "2", ["SLURM_ARRAY_TASK_COUNT"] = "5" };
        Assert.Equal((2, 5), ShardSplit.Auto(null, k => env.GetValueOrDefault(k)));
        Assert.Equal((2, 3), ShardSplit.Auto(3, k => env.GetValueOrDefault(k))); // --shards wins (a rerun of one task)
        var k8s = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "4" };
        Assert.Equal((4, 6), ShardSplit.Auto(6, k => k8s.GetValueOrDefault(k)));
        var e1 = Assert.Throws<InputException>(() => ShardSplit.Auto(null, k => k8s.GetValueOrDefault(k)));
        Assert.Contains("give --shards N", e1.Message);
        var e2 = Assert.Throws<InputException>(() => ShardSplit.Auto(4, _ => null));
        Assert.Contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX", e2.Message);
        var e3 = Assert.Throws<InputException>(() => ShardSplit.Auto(4, k => k8s.GetValueOrDefault(k)));
        Assert.Contains("shard index 4 is out of range: expected 0..3", e3.Message);
    }
}
