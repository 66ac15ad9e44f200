using System.Globalization;
using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Tests.Twin;

/// <summary>The twin's plan and executor without a VM: the executor, run on the host with --pages, visits the same
/// pages as the simulator's generators (random, zipf, write ratios), and the plan flattens steps as documented.</summary>
public class TwinPlanTests
{
    private const string Yaml = """
        seed: 7
        machine: { memory: 256MiB }
        processes:
          - name: a-very-long-process-name
            steps:
              - alloc: { name: heap, size: 10MiB }
              - access: { region: heap, pattern: random, count: 3000, write_ratio: 0.3 }
              - repeat: { times: 2, steps: [ { access: { region: heap, pattern: zipf, count: 2000, zipf_alpha: 0.8, write_ratio: 0.5 } } ] }
              - access: { region: heap, pattern: zipf, count: 2000 }
              - access: { region: heap, pattern: sequential, count: 3000, write: true }
              - exit
          - name: second
            start_at: 1ms
            steps:
              - alloc: { name: h, size: 1234567 }
              - access: { region: h, pattern: zipf, count: 5000, zipf_alpha: 1.3, write_ratio: 0.1 }
        """;

    [Fact]
    public void The_executor_visits_the_same_pages_as_the_simulator()
    {
        var s = ScenarioLoader.LoadText(Yaml, "test.yaml");
        var plan = TwinPlan.Build(s);
        string gcc = TwinEnvironment.Which("gcc") ?? throw new InvalidOperationException("gcc is needed: apt-get install -y gcc");
        string exe = TwinImage.BuildExecutor(gcc, TwinEnvironment.CacheDir());
        string planFile = Path.Combine(TestTemp.Dir, $"mmsim-plan-{Guid.NewGuid():N}");
        File.WriteAllText(planFile, plan.Text);
        string output;
        try { output = TwinEnvironment.RunTool(exe, ["--pages", planFile], "twin_exec --pages"); }
        finally { File.Delete(planFile); }

        var real = new Dictionary<int, List<string>>();
        List<string>? cur = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("proc ")) real[int.Parse(line[5..], CultureInfo.InvariantCulture)] = cur = new();
            else cur!.Add(line);
        }

        for (int i = 0; i < s.Processes.Count; i++)
        {
            var p = s.Processes[i];
            var rng = new Pcg32(s.Seed, (ulong)p.Pid);
            var expected = new List<string>();
            long pages = 0;
            void Walk(List<Step> steps)
            {
                foreach (var step in steps)
                {
                    if (step is AllocStep a) pages = (a.SizeBytes + 4095) / 4096;
                    else if (step is RepeatStep r) for (long t = 0; t < r.Times; t++) Walk(r.Steps);
                    else if (step is AccessStep acc)
                    {
                        var gen = new AccessGenerator(acc, pages);
                        while (gen.HasNext)
                        {
                            long page = gen.NextPage(ref rng, out bool w);
                            expected.Add($"{page} {(w ? 1 : 0)}");
                        }
                    }
                }
            }
            Walk(p.Steps);
            Assert.Equal(expected.Count, real[i].Count);
            Assert.Equal(expected, real[i]);
        }
    }

    [Fact]
    public void The_plan_flattens_repeats_and_names_regions_by_slot()
    {
        var plan = TwinPlan.Build(ScenarioLoader.LoadText(Yaml, "test.yaml"));
        var lines = plan.Text.Split('\n');
        Assert.Equal("mmsim-plan 1", lines[0]);
        Assert.Contains("proc 0 1000 0 0 a-very-long-pro", lines);     // the comm: 15 characters
        Assert.Contains("step repeat 2 1", lines);
        Assert.Contains("step alloc 0 1236992 3", lines);              // 1234567 rounded up to pages
        Assert.Contains("step exit 0", lines);
    }

    private const string ForkYaml = """
        seed: 42
        machine: { memory: 256MiB }
        processes:
          - name: parent
            steps:
              - alloc: { name: heap, size: 256KiB }
              - touch: { region: heap, write: true }
              - fork: { name: kid, steps: [ { touch: { region: heap, write: true, length: 128KiB } }, { sleep: 50ms } ] }
              - sleep: 20ms
              - touch: { region: heap, write: true, length: 64KiB, think: 10us }
              - fork: { steps: [ { exit: { code: 3 } } ] }
          - name: other
            start_at: 5ms
            steps:
              - alloc: { name: h, size: 64KiB }
              - access: { address: 16, write: true }
        """;

    [Fact]
    public void The_plan_gives_fork_children_their_body_and_the_next_pids()
    {
        var plan = TwinPlan.Build(ScenarioLoader.LoadText(ForkYaml, "fork.yaml"));
        var lines = plan.Text.Split('\n');
        Assert.Contains("nextpid 1002", lines);
        Assert.Contains("step fork 2 kid", lines);
        Assert.Contains("step fork 1 parent", lines);                // no name: the parent's
        Assert.Contains("step touch 0 1 4096 0 65536 10000", lines);  // think in ns
    }

    /// <summary>The executor's harness on the host's own kernel (no VM, a fraction of a second): children of fork
    /// steps are reported after the scenario's processes in fork order, with their names, fates and faults; the
    /// parent's own re-faults after a fork are not counted.</summary>
    [Fact]
    public void The_executor_runs_fork_children_and_counts_their_faults()
    {
        var r = RunOnHost(ForkYaml);
        var byIndex = r.Processes.ToDictionary(p => p.Index);
        Assert.Equal(4, byIndex.Count);
        Assert.Equal(("running", 64 + 16L), (byIndex[0].State, byIndex[0].MinFlt));   // parent: 64 pages, then 16 copy-on-write
        Assert.Equal(("killed", 11), (byIndex[1].State, byIndex[1].Signal));          // other: SIGSEGV
        Assert.Equal(("kid", "running", 32L), (byIndex[2].Comm, byIndex[2].State, byIndex[2].MinFlt));
        Assert.Equal(("parent", "exited", 3, 0L), (byIndex[3].Comm, byIndex[3].State, byIndex[3].Code, byIndex[3].MinFlt));
        Assert.True(byIndex[2].Status.GetValueOrDefault("VmRSS") > 0);
    }

    private static TwinResult RunOnHost(string yaml)
    {
        var plan = TwinPlan.Build(ScenarioLoader.LoadText(yaml, "host.yaml"));
        string gcc = TwinEnvironment.Which("gcc") ?? throw new InvalidOperationException("gcc is needed: apt-get install -y gcc");
        string exe = TwinImage.BuildExecutor(gcc, TwinEnvironment.CacheDir());
        string planFile = Path.Combine(TestTemp.Dir, $"mmsim-plan-{Guid.NewGuid():N}");
        string resultFile = planFile + ".result";
        File.WriteAllText(planFile, plan.Text);
        File.WriteAllText(resultFile, "");
        try
        {
            TwinEnvironment.RunTool(exe, [planFile, resultFile], "twin_exec");
            return TwinResult.Parse(File.ReadAllText(resultFile));
        }
        finally
        {
            File.Delete(planFile);
            File.Delete(resultFile);
        }
    }

    /// <summary>start_after in the harness: the follower is forked only once its leader has finished its steps,
    /// whatever the clock says; processes whose start order differs from their scenario order keep their own
    /// names and results (the harness finds them by scenario index).</summary>
    [Fact]
    public void The_executor_starts_a_follower_after_its_leader()
    {
        var r = RunOnHost("""
            processes:
              - name: late
                start_at: 150ms
                steps: [ { sleep: 10ms } ]
              - name: leader
                steps:
                  - alloc: { name: heap, size: 1MiB }
                  - touch: { region: heap, write: true }
                  - sleep: 300ms
              - name: follower
                start_after: leader
                steps:
                  - alloc: { name: heap, size: 2MiB }
                  - touch: { region: heap, write: true }
            """);
        var byIndex = r.Processes.ToDictionary(p => p.Index);
        Assert.Equal(3, byIndex.Count);
        Assert.Equal((256L, 512L), (byIndex[1].MinFlt, byIndex[2].MinFlt)); // leader 1 MiB, follower 2 MiB
        Assert.True(byIndex[2].StartNs >= byIndex[1].EndNs, $"follower started at {byIndex[2].StartNs}, leader ended at {byIndex[1].EndNs}");
        Assert.True(byIndex[1].EndNs >= 300_000_000);
        Assert.True(byIndex[0].StartNs >= 150_000_000 && byIndex[0].StartNs < byIndex[1].EndNs,
            $"late started at {byIndex[0].StartNs}, leader ended at {byIndex[1].EndNs}");
    }

    /// <summary>The plan of a pods scenario: the kubelet's cgroups parents first with their memory.max (kubepods'
    /// is the VM's MemTotal, "memtotal"), each container placed in its cgroup, and a Burstable container's request
    /// for its oom_score_adj (computed in the VM from MemTotal).</summary>
    [Fact]
    public void The_plan_creates_the_pods_cgroups_and_places_the_containers()
    {
        var plan = TwinPlan.Build(BuiltinScenarios.Load("container-oom"));
        var lines = plan.Text.Split('\n');
        Assert.Equal(
            ["cgroup 0 kubepods", "cgset 0 memory.max memtotal", "cgroup 1 kubepods/burstable",
             "cgroup 2 kubepods/burstable/podweb", "cgset 2 memory.max 268435456",
             "cgroup 3 kubepods/burstable/podshop", "cgset 3 memory.max 134217728",
             "cgroup 4 kubepods/burstable/podweb/nginx", "cgset 4 memory.max 268435456",
             "cgroup 5 kubepods/burstable/podshop/api", "cgset 5 memory.max 134217728"],
            lines.Where(l => l.StartsWith("cgroup ") || l.StartsWith("cgset ")));
        int api = Array.FindIndex(lines, l => l.StartsWith("proc ") && l.EndsWith(" api"));
        Assert.Equal("cg 5", lines[api + 1]);
        Assert.Equal($"kubereq {64L << 20}", lines[api + 2]);
    }

    [Fact]
    public void The_plan_writes_the_scenarios_memory_files()
    {
        var plan = TwinPlan.Build(ScenarioLoader.LoadText("""
            machine: { memory: 256MiB, swap: 64MiB }
            cgroups:
              - { path: db, memory.low: 32MiB, memory.min: 8MiB, memory.swap.max: 0, memory.high: 100MiB }
              - { path: batch/job1, memory.max: 64MiB, memory.oom.group: 1 }
            processes:
              - { name: a, cgroup: batch/job1, oom_score_adj: 500, steps: [ { sleep: 1ms } ] }
            """, "t.yaml"));
        var lines = plan.Text.Split('\n');
        Assert.Equal(
            ["cgroup 0 db", "cgset 0 memory.high 104857600", "cgset 0 memory.low 33554432", "cgset 0 memory.min 8388608",
             "cgset 0 memory.swap.max 0", "cgroup 1 batch", "cgroup 2 batch/job1", "cgset 2 memory.max 67108864",
             "cgset 2 memory.oom.group 1"],
            lines.Where(l => l.StartsWith("cgroup ") || l.StartsWith("cgset ")));
        Assert.Contains("proc 0 1000 0 500 a", lines);
        Assert.Equal("cg 2", lines[Array.IndexOf(lines, "proc 0 1000 0 500 a") + 1]);
    }
}
