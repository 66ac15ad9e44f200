using MmSim.Workloads;

namespace MmSim.Tests.Memcg;

/// <summary>Bad cgroup and pod input: one clear error naming the line.</summary>
public class MemcgInputTests
{
    private static InputException Fails(string yaml) => Assert.Throws<InputException>(() => ScenarioLoader.LoadText(yaml, "t.yaml"));

    [Fact]
    public void A_limit_that_is_not_a_size()
    {
        var ex = Fails("""
            cgroups:
              - { path: web, memory.max: lots }
            processes:
              - { name: a, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(2, ex.Line);
        Assert.Contains("cgroups.memory.max must be a size such as 512MiB or 'max', got 'lots'", ex.Message);
    }

    [Fact]
    public void An_unknown_cgroup_path()
    {
        var ex = Fails("""
            cgroups:
              - { path: web }
            processes:
              - { name: a, cgroup: wbe, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(4, ex.Line);
        Assert.Contains("cgroup 'wbe', which is not declared", ex.Message);
    }

    [Fact]
    public void A_process_placed_in_two_cgroups()
    {
        var ex = Fails("""
            cgroups:
              - { path: web }
              - { path: db, processes: [a] }
            processes:
              - { name: a, cgroup: web, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(3, ex.Line);
        Assert.Contains("process 'a' is placed in two cgroups: 'web' (line 5) and 'db'", ex.Message);
    }

    [Fact]
    public void A_pod_whose_request_exceeds_its_limit()
    {
        var ex = Fails("""
            pods:
              - name: shop
                containers:
                  - name: api
                    resources: { requests: { memory: 2Gi }, limits: { memory: 1Gi } }
                    steps: [ { sleep: 1ms } ]
            """);
        Assert.Equal(4, ex.Line);
        Assert.Contains("memory request 2GiB exceeds its limit 1GiB", ex.Message);
    }

    [Fact]
    public void A_cgroup_declared_twice_and_an_unknown_key()
    {
        Assert.Equal(3, Fails("""
            cgroups:
              - { path: web }
              - { path: web }
            processes:
              - { name: a, steps: [ { sleep: 1ms } ] }
            """).Line);
        var ex = Fails("""
            cgroups:
              - { path: web, memory.hihg: 1GiB }
            processes:
              - { name: a, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(2, ex.Line);
        Assert.Contains("memory.high", ex.Message);
    }

    [Fact]
    public void The_cli_exits_2_naming_the_file_and_line()
    {
        string p = Path.Combine(TestTemp.Dir, $"mmsim-memcg-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(p, "cgroups:\n  - { path: web, memory.low: max }\nprocesses:\n  - { name: a, cgroup: nope, steps: [ { sleep: 1ms } ] }\n");
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(["run", p], o, e);
        File.Delete(p);
        Assert.Equal(2, code);
        Assert.Contains($"{p}:4:", e.ToString());
        Assert.DoesNotContain("   at ", e.ToString());
    }

    /// <summary>cgroup v2's "no internal process" rule (cgroup-v2.rst, "No Internal Process Constraint"): a cgroup
    /// whose children have the memory controller takes no processes (the kernel answers EBUSY).</summary>
    [Fact]
    public void A_process_in_a_cgroup_with_children()
    {
        var ex = Fails("""
            machine: { memory: 256MiB }
            cgroups:
              - { path: batch, memory.max: 64MiB }
              - { path: batch/job1 }
            processes:
              - { name: a, cgroup: batch, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(6, ex.Line);
        Assert.Contains("process 'a' cannot be placed in cgroup 'batch': it has child cgroups", ex.Message);
        Assert.Contains("no internal process", ex.Message);
        Assert.Contains("e.g. 'batch/a'", ex.Message);
    }

    [Fact]
    public void A_process_listed_in_the_procs_of_a_cgroup_with_children_is_named_at_that_line()
    {
        var ex = Fails("""
            cgroups:
              - { path: batch/job1 }
              - { path: batch, processes: [ a ] }
            processes:
              - { name: a, steps: [ { sleep: 1ms } ] }
            """);
        Assert.Equal(3, ex.Line);
        Assert.Contains("process 'a' cannot be placed in cgroup 'batch'", ex.Message);
    }

    [Fact]
    public void A_process_in_a_leaf_below_an_implicit_parent_is_accepted()
    {
        var s = ScenarioLoader.LoadText("""
            cgroups:
              - { path: batch/job1, memory.max: 64MiB }
            processes:
              - { name: a, cgroup: batch/job1, steps: [ { sleep: 1ms } ] }
            """, "t.yaml");
        Assert.Equal(["batch", "batch/job1"], s.Cgroups.Select(c => c.Path).ToList());
        Assert.Equal("batch/job1", s.Processes[0].Cgroup);
    }

    [Fact]
    public void Pods_become_the_kubelets_cgroups()
    {
        var s = ScenarioLoader.LoadText("""
            pods:
              - name: shop
                containers:
                  - { name: api, resources: { requests: { memory: 1Gi }, limits: { memory: 2Gi } }, steps: [ { sleep: 1ms } ] }
                  - { name: log, resources: { limits: { memory: 256Mi } }, steps: [ { sleep: 1ms } ] }
            """, "t.yaml");
        var paths = s.Cgroups.Select(c => c.Path).ToList();
        Assert.Equal(["kubepods", "kubepods/burstable", "kubepods/burstable/podshop", "kubepods/burstable/podshop/api", "kubepods/burstable/podshop/log"], paths);
        Assert.Equal((2L << 30) + (256L << 20), s.Cgroups.Single(c => c.Path == "kubepods/burstable/podshop").Max); // sum of limits
        Assert.Equal(256L << 20, s.Cgroups.Single(c => c.Path.EndsWith("/log")).Max);
        Assert.Equal("kubepods/burstable/podshop/api", s.Processes.Single(p => p.Name == "api").Cgroup);
    }
}

/// <summary>The README's memory cgroup example runs as the README says.</summary>
public class MemcgDocTests
{
    [Fact]
    public void The_readme_cgroup_example_is_killed_by_its_own_limit()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "README.md"))) dir = dir.Parent;
        string readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
        var m = System.Text.RegularExpressions.Regex.Match(readme, "### Memory cgroups and pods\n.*?```yaml\n(.*?)```",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(m.Success);
        var r = Sim.Report(m.Groups[1].Value);
        Assert.Equal("killed", r.Proc("nginx").State);
        var web = r.Cgroups!.Single();
        Assert.Equal("web", web.Path);
        Assert.Equal(1, web.Events["oom_kill"]);
        Assert.Equal(64L << 20, (long)web.Files["memory.peak"]);
        Assert.True(r.Meminfo["MemFree"] > 800 * 1024);
    }
}

/// <summary>The JSON contract of cgroups and pods, through the CLI.</summary>
public class MemcgJsonTests
{
    [Fact]
    public void Json_report_lists_cgroups_with_their_files_in_bytes_and_the_pods()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, MmSim.Cli.Program.Run(["run", "container-oom", "--json"], o, e));
        using var doc = System.Text.Json.JsonDocument.Parse(o.ToString());
        var root = doc.RootElement;
        var api = root.GetProperty("cgroups").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "kubepods/burstable/podshop/api");
        Assert.Equal(134217728, api.GetProperty("memory.max").GetInt64());
        Assert.Equal("max", api.GetProperty("memory.high").GetString());
        Assert.Equal(0, api.GetProperty("memory.low").GetInt64());
        Assert.Equal(1, api.GetProperty("memory.events").GetProperty("oom_kill").GetInt64());
        Assert.True(api.GetProperty("memory.stat").TryGetProperty("anon", out _));
        Assert.Equal("some avg10=0.00 avg60=0.00 avg300=0.00 total=0", root.GetProperty("pressure").GetProperty("text")[0].GetString());
        var shop = root.GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "shop");
        Assert.Equal("Burstable", shop.GetProperty("qos_class").GetString());
        Assert.Equal("container", shop.GetProperty("containers")[0].GetProperty("oom_kill").GetString());
    }

    [Fact]
    public void Text_report_has_the_cgroup_and_pod_tables()
    {
        var o = new StringWriter();
        Assert.Equal(0, MmSim.Cli.Program.Run(["run", "node-oom"], o, new StringWriter()));
        string text = o.ToString();
        Assert.Contains("memory cgroups", text);
        Assert.Contains("/proc/pressure/memory", text);
        Assert.Contains("node OOM kill", text);
        Assert.Contains("BestEffort", text);
    }
}

/// <summary>What-if changes of a cgroup file from the command line.</summary>
public class MemcgOverrideTests
{
    [Fact]
    public void Set_changes_a_cgroup_file_and_names_a_missing_cgroup()
    {
        var s = ScenarioOverrides.Apply(BuiltinScenarios.Text("memory-low-protection"), "x.yaml", "x",
            [("cgroup:db:memory.low", "0"), ("cgroup:batch:memory.max", "300MiB")]);
        Assert.Equal(0, s.Cgroups.Single(c => c.Path == "db").Low);
        Assert.Equal(300L << 20, s.Cgroups.Single(c => c.Path == "batch").Max);
        var ex = Assert.Throws<InputException>(() => ScenarioOverrides.Apply(BuiltinScenarios.Text("memory-low-protection"), "x.yaml", "x",
            [("cgroup:web:memory.max", "1GiB")]));
        Assert.Contains("no cgroup 'web'", ex.Message);
    }

    [Fact]
    public void Compare_runs_a_protection_both_ways()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(["run", "memory-high-throttle", "--compare", "cgroup:svc:memory.high=64MiB,max"], o, e);
        Assert.Equal(0, code);
        string text = o.ToString();
        Assert.Contains("/svc: high events", text);
        Assert.Contains("/svc: memory some µs", text);
        Assert.Contains("simulated s", text);
    }
}
