using MmSim.Reports;
using MmSim.Segmentation;
using MmSim.Workloads;

namespace MmSim.Tests.Segmentation;

public class SegmentBuiltinTests
{
    public static TheoryData<string> Segmented => new(BuiltinScenarios.Names.Where(n => BuiltinScenarios.Load(n).Machine.IsSegmented));

    [Theory]
    [MemberData(nameof(Segmented))]
    public void Every_segmented_builtin_runs_to_the_end_and_is_deterministic(string name)
    {
        string Once()
        {
            var m = new SegMachine(BuiltinScenarios.Load(name));
            m.Run();
            SegmentScenarioTests.CheckInvariants(m);
            Assert.All(m.Processes, p => Assert.True(p.IsDone));
            return SegmentationReport.Build(m).ToJson();
        }
        Assert.Equal(Once(), Once());
    }

    [Fact]
    public void Segmentation_fragmentation_fails_with_enough_free_memory_then_compaction_cures_it()
    {
        var m = new SegMachine(BuiltinScenarios.Load("segmentation-fragmentation"));
        m.Run();
        var samples = m.FragmentationTimeline.Select(s => (s.FreeBytes, s.LargestHole, s.Holes)).ToArray();
        Assert.Equal([
            (65536L, 65536L, 1), (57344, 57344, 1), (49152, 49152, 1), (40960, 40960, 1), (32768, 32768, 1),
            (24576, 24576, 1), (16384, 16384, 1), (8192, 8192, 1), (0, 0, 0),
            (32768, 8192, 4),   // b exits: four holes of 8 KiB
            (32768, 32768, 1),  // compaction
            (16384, 16384, 1),  // the 16 KiB segment placed
        ], samples);
        var fail = m.Log.Events.Single(e => e.Type == "alloc_fail");
        Assert.Equal(1_009_100, fail.TimeNs);
        Assert.Contains("free 32768 bytes in 4 holes but the largest is 8192 (external fragmentation)", fail.Message);
        var a = m.Processes.Single(p => p.Name == "a");
        Assert.Equal([0L, 8192, 16384, 24576, 32768], a.Segments.Values.Select(e => e.Base));
        Assert.Equal((1L, 24576L), (m.Counters.Compactions, m.Counters.CompactionBytesMoved));
        Assert.Equal(["segment 3, offset 100 -> physical 49252 (write 42)", "segment 3, offset 100 -> physical 24676 (read 42)",
            "segment 4, offset 16000 -> physical 48768 (write 7)"], m.Log.Events.Where(e => e.Type == "access").Select(e => e.Message));
        Assert.Equal("exited", SegmentationReport.Build(m).Processes.Single(p => p.Name == "b").State);
    }
}
