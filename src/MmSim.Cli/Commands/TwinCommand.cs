using System.CommandLine;
using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim twin run|compare|shell</c>: the scenario on a real kernel in a VM (docs/twin.md).</summary>
public static class TwinCommand
{
    public static Command Create()
    {
        var cmd = new Command("twin", "Run a scenario on a real Linux kernel in a VM (qemu) and compare it with the simulator");
        cmd.Subcommands.Add(RunSub());
        cmd.Subcommands.Add(CompareSub());
        cmd.Subcommands.Add(ShellSub());
        return cmd;
    }

    private static Argument<string?> ScenarioArg() => new("scenario")
    {
        Description = $"A scenario YAML file, or the name of a built-in scenario (default: {RunCommand.DefaultScenario})",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static Option<string?> TimeoutOption() => new("--timeout")
    {
        Description = "Kill the VM after this much wall time (default: 5 min plus 3x the scenario's start times and sleeps)",
    };

    private static TimeSpan? Timeout(string? text)
    {
        if (text is null) return null;
        long ns = Units.ParseTime(text, "--timeout", 0);
        if (ns <= 0) throw new InputException("--timeout", 0, "expected a positive time such as 60s");
        return TimeSpan.FromTicks(ns / 100);
    }

    private static Command RunSub()
    {
        var scenarioArg = ScenarioArg();
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON document" };
        var timeout = TimeoutOption();
        var cmd = new Command("run", "Run the scenario for real in a VM and report the kernel's figures") { scenarioArg, json, timeout };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var scenario = ScenarioResolver.Load(parse.GetValue(scenarioArg));
            var limit = Timeout(parse.GetValue(timeout));
            return Guard(stderr, () =>
            {
                var report = TwinRun.Run(scenario, limit);
                if (parse.GetValue(json)) stdout.WriteLine(report.ToJson());
                else TwinText.WriteReport(report, stdout);
            });
        });
        return cmd;
    }

    private static Command CompareSub()
    {
        var scenarioArg = ScenarioArg();
        var json = new Option<bool>("--json") { Description = "Print { \"rows\": [ { what, simulated, real, verdict } ] }" };
        var timeout = TimeoutOption();
        var ownLatency = new Option<bool>("--scenario-latency")
        {
            Description = "Run the simulator with the scenario's own machine.latency instead of the VM's measured speed",
        };
        var cmd = new Command("compare", "Run the simulator and the twin on the same scenario and compare them row by row")
        {
            scenarioArg, json, timeout, ownLatency,
        };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? arg = parse.GetValue(scenarioArg);
            var scenario = ScenarioResolver.Load(arg);
            var limit = Timeout(parse.GetValue(timeout));
            return Guard(stderr, () =>
            {
                var cmp = TwinCompare.Run(scenario, () => ScenarioResolver.Load(arg), limit, vmSpeed: !parse.GetValue(ownLatency));
                if (parse.GetValue(json)) stdout.WriteLine(cmp.ToJson());
                else TwinText.WriteComparison(cmp, stdout);
            });
        });
        return cmd;
    }

    private static Command ShellSub()
    {
        var scenarioArg = ScenarioArg();
        var cmd = new Command("shell", "Boot the scenario's VM and give a shell in it (leave with: poweroff -f)") { scenarioArg };
        cmd.SetAction(parse =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var scenario = ScenarioResolver.Load(parse.GetValue(scenarioArg));
            int code = 0;
            int rc = Guard(stderr, () =>
            {
                var plan = TwinPlan.Build(scenario);
                var env = TwinEnvironment.Require();
                var image = TwinImage.Build(plan, env);
                stderr.WriteLine($"mmsim: booting {env.KernelVersion} with {plan.MemoryMiB} MiB ({(env.Kvm ? "KVM" : "software emulation")}); Ctrl-A X quits qemu");
                code = TwinRunner.Shell(image);
            });
            return rc != ExitCodes.Ok ? rc : code == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return cmd;
    }

    /// <summary>A twin failure (missing package, hung VM) is exit 1 with one message; bad input stays exit 2.</summary>
    private static int Guard(TextWriter stderr, Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (TwinException ex)
        {
            stderr.WriteLine($"mmsim: twin: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}

/// <summary>Plain-text output of the twin commands.</summary>
internal static class TwinText
{
    public static void WriteReport(TwinReport r, TextWriter o)
    {
        o.WriteLine($"{r.Scenario.Title ?? r.Scenario.Name} on Linux {r.Kernel.Version} ({(r.Kernel.Kvm ? "KVM" : "software emulation")}, " +
                    $"{r.Kernel.WallMs / 1000.0:F1} s wall time): MemTotal {r.Kernel.MemTotalKb} kB");
        o.WriteLine();
        o.WriteLine($"{"pid",6} {"name",-16} {"state",-8} {"minflt",8} {"majflt",7} {"VmSize",9} {"VmRSS",9} {"VmSwap",9}  (kB)");
        foreach (var p in r.Processes)
            o.WriteLine($"{p.Pid,6} {p.Name,-16} {p.State,-8} {p.MinFlt,8} {p.MajFlt,7} {p.VmSize,9} {p.VmRSS,9} {p.VmSwap,9}" +
                        (p.Reason is null ? "" : $"  {p.Signal}: {p.Reason}"));
        o.WriteLine();
        o.WriteLine("/proc/vmstat (event counters since the scenario started):");
        foreach (var k in new[] { "pgfault", "pgmajfault", "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "oom_kill" })
            o.WriteLine($"  {k,-16} {r.Vmstat.GetValueOrDefault(k)}");
        o.WriteLine("/proc/meminfo at the end:");
        foreach (var k in new[] { "MemTotal", "MemFree", "MemAvailable", "Cached", "AnonPages", "SwapTotal", "SwapFree" })
            o.WriteLine($"  {k,-16} {r.Meminfo.GetValueOrDefault(k)} kB");
        if (r.Cgroups is { } cgroups)
        {
            // Issue 9: the cgroups as the VM's kernel printed their files at the end (bytes; memory.events).
            int w = Math.Max(6, cgroups.Max(g => g.Path.Length) + 1);
            o.WriteLine("memory cgroups at the end (bytes; memory.events; memory.pressure some total µs):");
            o.WriteLine($"  {"path".PadRight(w)} {"memory.current",14} {"swap.current",12} {"low",5} {"high",6} {"max",5} {"oom",4} {"oom_kill",8} {"group_kill",10} {"some µs",10}");
            foreach (var g in cgroups)
            {
                long E(string k) => g.Events.GetValueOrDefault(k);
                o.WriteLine($"  {("/" + g.Path).PadRight(w)} {g.Files.GetValueOrDefault("memory.current"),14} {g.Files.GetValueOrDefault("memory.swap.current"),12} " +
                            $"{E("low"),5} {E("high"),6} {E("max"),5} {E("oom"),4} {E("oom_kill"),8} {E("oom_group_kill"),10} {g.Pressure.Some.GetValueOrDefault("total"),10}");
            }
            if (r.Pods is { } pods)
                foreach (var pod in pods)
                    foreach (var ct in pod.Containers)
                        o.WriteLine($"  pod {pod.Name} ({pod.QosClass}) container {ct.Name}: oom_score_adj {ct.OomScoreAdj}, {ct.State}" +
                                    (ct.OomKill is { } k ? $", {k} OOM kill" : ""));
        }
        var kernelEvents = r.Events.Where(e => e.Type is "oom_kill" or "oom" or "segv").ToList();
        if (kernelEvents.Count > 0)
        {
            o.WriteLine("Kernel log:");
            foreach (var e in kernelEvents) o.WriteLine($"  [{e.TimeNs / 1e9,9:F3}] {e.Message}");
        }
    }

    private static string Us(long ns) => (ns / 1000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " µs";

    public static void WriteComparison(TwinComparison c, TextWriter o)
    {
        o.WriteLine($"{c.Scenario}: simulator vs Linux {c.Kernel} (both with MemTotal {c.MemTotalKb} kB)");
        if (c.Speed is { } v)
            o.WriteLine($"the simulated machine at the VM's measured speed: touching a new page {Us(v.FaultNs)}, an access {v.AccessNs} ns, " +
                        $"a 32-page write {Us(v.SwapWriteNs)}, a 4 KiB read {Us(v.DiskReadNs)}");
        else o.WriteLine("the simulated machine with the scenario's own latencies");
        o.WriteLine();
        int w = Math.Max(24, c.Rows.Max(r => r.What.Length));
        o.WriteLine($"{"what".PadRight(w)} {"simulated",16} {"real",16}  verdict");
        foreach (var r in c.Rows)
            o.WriteLine($"{r.What.PadRight(w)} {r.Simulated,16} {r.Real,16}  {r.Verdict}{(r.Verdict == TwinComparison.Close ? $" (within {r.Tolerance})" : "")}");
        int eq = c.Rows.Count(r => r.Verdict == TwinComparison.Equal), cl = c.Rows.Count(r => r.Verdict == TwinComparison.Close);
        o.WriteLine();
        o.WriteLine($"{eq} equal, {cl} close, {c.Rows.Count - eq - cl} differ (tolerances: docs/twin.md)");
    }
}
