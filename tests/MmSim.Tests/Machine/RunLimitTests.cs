using MmSim.Machine;
using MmSim.Workloads;

namespace MmSim.Tests.Machine;

/// <summary>The run loop's limits (the web lab's work budget and wall-clock limit) stop a run between slices.</summary>
public class RunLimitTests
{
    private const string Busy = """
        machine: { memory: 64MiB }
        processes:
          - name: busy
            steps:
              - alloc: { name: heap, size: 8MiB }
              - access: { region: heap, pattern: random, count: 200000 }
        """;

    private static SimulationLimitException Stop(MachineOptions o) =>
        Assert.Throws<SimulationLimitException>(() => new SimMachine(ScenarioLoader.LoadText(Busy, "t.yaml"), o).Run());

    [Fact]
    public void A_wall_clock_limit_that_has_passed_stops_the_run_and_says_so()
    {
        // One stopwatch tick: passed by the first slice, whatever the machine's speed.
        var e = Stop(new MachineOptions { WallClockLimit = TimeSpan.FromTicks(1) });
        Assert.True(e.WallClock);
        Assert.StartsWith("the simulation exceeded its wall-clock limit (", e.Message);
    }

    [Fact]
    public void The_work_budget_stops_the_run_and_is_not_a_wall_clock_stop()
    {
        var e = Stop(new MachineOptions { AccessLimit = 1000 });
        Assert.False(e.WallClock);
        Assert.Equal("the simulation exceeded its work budget of 1,000 simulated accesses", e.Message);
    }

    [Fact]
    public void A_cancelled_run_stops_and_is_not_a_wall_clock_stop()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var e = Stop(new MachineOptions { Cancellation = cts.Token });
        Assert.False(e.WallClock);
        Assert.StartsWith("the simulation was cancelled (", e.Message);
    }

    [Fact]
    public void Without_limits_the_same_run_finishes()
    {
        var m = Sim.Run(Busy, new MachineOptions { WallClockLimit = TimeSpan.FromHours(1), AccessLimit = 10_000_000 });
        Assert.All(m.Tasks, t => Assert.True(t.IsDone));
    }
}
