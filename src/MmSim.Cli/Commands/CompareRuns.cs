using System.Text.Json;
using System.Text.Json.Nodes;
using MmSim.Cli.Formatting;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim run S --compare KEY=V1,V2,...</c>: the same scenario under several settings, side by side.</summary>
public static class CompareRuns
{
    /// <summary>The counters the comparison shows (the ones reclaim and OOM move).</summary>
    public static readonly string[] Counters =
    [
        "pgfault", "pgmajfault", "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
        "pgsteal_direct", "pgsteal_anon", "pgsteal_file", "allocstall_dma32", "allocstall_normal", "allocstall_movable",
        "pgactivate", "pgdeactivate", "pgrefill", "workingset_refault_anon", "workingset_refault_file",
        "workingset_activate_file", "nr_written", "pgrotated", "oom_kill",
    ];

    public static int Run(string? scenarioArg, List<(string Key, string Value)> overrides, string compare, bool json,
        TextWriter stdout)
    {
        var (key, valuesText) = ScenarioOverrides.ParseAssignment(compare, "--compare");
        var values = valuesText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (values.Length == 0) throw new InputException("--compare", 0, "expected KEY=V1,V2,... with at least one value");
        var (text, source, name) = ScenarioResolver.Resolve(scenarioArg);
        var reports = new RunReport[values.Length];
        var scenarios = values.Select(v => ScenarioOverrides.Apply(text, source, name, [.. overrides, (key, v)])).ToArray();
        Parallel.For(0, values.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var m = new SimMachine(scenarios[i]);
            m.Run();
            reports[i] = RunReport.Build(m);
        });
        if (json)
        {
            var runs = new JsonArray();
            for (int i = 0; i < values.Length; i++)
                runs.Add(new JsonObject
                {
                    ["value"] = values[i],
                    ["report"] = JsonNode.Parse(reports[i].ToJson()),
                });
            var doc = new JsonObject { ["scenario"] = name, ["compare"] = key, ["runs"] = runs };
            stdout.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        var c = Consoles.For(stdout);
        var t = new Table().Title($"{name}: {key} = {string.Join(", ", values)}").Border(TableBorder.Simple);
        t.AddColumn("");
        foreach (var v in values) t.AddColumn(new TableColumn($"{key}={v}").RightAligned());
        foreach (var p in reports[0].Processes)
        {
            t.AddRow(Row($"{p.Name}: state", reports.Select(r => Fate(r, p.Pid))));
            t.AddRow(Row($"{p.Name}: VmRSS kB", reports.Select(r => Proc(r, p.Pid)?.VmRSS.ToString() ?? "-")));
            t.AddRow(Row($"{p.Name}: VmSwap kB", reports.Select(r => Proc(r, p.Pid)?.VmSwap.ToString() ?? "-")));
            t.AddRow(Row($"{p.Name}: stalled ms", reports.Select(r => Proc(r, p.Pid) is { } x ? (x.StallNs / 1e6).ToString("F3") : "-")));
            if (reports.Any(r => Proc(r, p.Pid) is { RunDelayNs: > 0 })) // waited for a CPU (behind kswapd or a task)
                t.AddRow(Row($"{p.Name}: run delay ms", reports.Select(r => Proc(r, p.Pid) is { } x ? (x.RunDelayNs / 1e6).ToString("F3") : "-")));
            if (TlbKey(key))
            {
                t.AddRow(Row($"{p.Name}: TLB hits/misses", reports.Select(r => Proc(r, p.Pid) is { } x ? $"{x.TlbHits}/{x.TlbMisses}" : "-")));
                t.AddRow(Row($"{p.Name}: EAT ns", reports.Select(r => Proc(r, p.Pid)?.EatNs is { } e ? e.ToString("0.###") : "-")));
            }
        }
        foreach (var counter in Counters)
        {
            if (reports.All(r => r.Vmstat.GetValueOrDefault(counter) == 0)) continue;
            t.AddRow(Row(counter, reports.Select(r => r.Vmstat.GetValueOrDefault(counter).ToString())));
        }
        if (reports[0].Cgroups is { } cgroups) // memcg issue: what a limit or a protection changes
        {
            foreach (var cg in cgroups)
            {
                CgroupReport? Of(RunReport r) => r.Cgroups?.FirstOrDefault(x => x.Path == cg.Path);
                t.AddRow(Row($"/{cg.Path}: memory.peak", reports.Select(r => Of(r)?.MemoryPeak.ToString() ?? "-")));
                foreach (var ev in new[] { "high", "max", "oom_kill" })
                    if (reports.Any(r => Of(r) is { } x && x.Events[ev] != 0))
                        t.AddRow(Row($"/{cg.Path}: {ev} events", reports.Select(r => Of(r)?.Events[ev].ToString() ?? "-")));
                t.AddRow(Row($"/{cg.Path}: memory some µs", reports.Select(r => Of(r)?.Pressure.Some["total"].ToString() ?? "-")));
            }
            t.AddRow(Row("simulated s", reports.Select(r => (r.SimulatedNs / 1e9).ToString("F3"))));
        }
        t.AddRow(Row("MemAvailable kB", reports.Select(r => r.Meminfo["MemAvailable"].ToString())));
        t.AddRow(Row("min_free_kbytes", reports.Select(r => r.Machine.MinFreeKbytes.ToString())));
        c.Write(t);
        return ExitCodes.Ok;
    }

    private static ProcessReport? Proc(RunReport r, int pid) => r.Processes.FirstOrDefault(p => p.Pid == pid);

    private static string Fate(RunReport r, int pid) => Proc(r, pid) is { } p
        ? p.State == "killed" ? $"killed ({p.Signal})" : p.State == "running" ? "survived" : p.State
        : "-";

    /// <summary>Comparing a TLB setting adds each process's TLB counts and EAT (other comparisons are unchanged).</summary>
    private static bool TlbKey(string key) =>
        key.StartsWith("machine.tlb", StringComparison.Ordinal) || key is "machine.pcid" or "machine.latency.tlb"
        or "machine.latency.access" or "machine.translation";

    private static string[] Row(string label, IEnumerable<string> cells) => [Markup.Escape(label), .. cells.Select(Markup.Escape)];
}
