using MmSim.Workloads;
using Xunit;

namespace MmSim.Tests.Sched;

/// <summary>start_after: a process starts when an earlier one has finished its steps (or died), plus start_at.</summary>
public class StartAfterTests
{
    [Fact]
    public void A_follower_starts_when_its_leader_finishes_plus_its_delay()
    {
        var r = Sim.Report("""
            processes:
              - name: leader
                steps: [ { sleep: 30ms } ]
              - name: follower
                start_after: leader
                start_at: 5ms
                steps: [ { sleep: 1ms } ]
              - name: third
                start_after: follower
                steps: [ { sleep: 1ms } ]
            """);
        Assert.Equal(30_000_000, r.Proc("leader").EndNs);
        Assert.Equal(35_000_000, r.Proc("follower").StartNs);
        Assert.Equal(36_000_000, r.Proc("third").StartNs);
    }

    [Fact]
    public void A_leader_killed_by_the_oom_killer_releases_its_follower()
    {
        var r = Sim.Report("""
            machine: { memory: 128MiB }
            processes:
              - name: hog
                steps:
                  - alloc: { name: heap, size: 512MiB }
                  - touch: { region: heap, write: true }
              - name: after
                start_after: hog
                steps: [ { sleep: 1ms } ]
            """);
        Assert.Equal("killed", r.Proc("hog").State);
        Assert.Equal(r.Proc("hog").EndNs, r.Proc("after").StartNs);
        Assert.Equal("running", r.Proc("after").State);
    }

    [Theory]
    [InlineData("nobody", "start_after 'nobody' is not the name of a process listed before this one (expected one of: a)")]
    [InlineData("b", "start_after 'b' is not the name of a process listed before this one (expected one of: a)")]
    public void Start_after_names_an_earlier_process(string name, string message)
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadText(
            $"processes:\n  - name: a\n    steps: [ exit ]\n  - name: b\n    start_after: {name}\n    steps: [ exit ]\n", "s.yaml"));
        Assert.Equal(5, ex.Line);
        Assert.Contains(message, ex.Message);
    }
}
