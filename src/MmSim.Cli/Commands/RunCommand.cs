using System.CommandLine;
using System.Diagnostics;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;
using MmSim.Cli.Formatting;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim run [SCENARIO]</c>: simulates a scenario (a YAML file or a built-in name) and reports.</summary>
public static class RunCommand
{
    public const string DefaultScenario = "lazy-allocation";

    public static Command Create()
    {
        var scenarioArg = new Argument<string?>("scenario")
        {
            Description = $"A scenario YAML file, or the name of a built-in scenario (default: {DefaultScenario})",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON document" };
        var timeline = new Option<string?>("--timeline") { Description = "Write meminfo/vmstat samples to this CSV file" };
        var interval = new Option<string>("--interval") { Description = "Sampling interval of simulated time for --timeline/--plot", DefaultValueFactory = _ => "1ms" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG plot of memory use over time, with the watermarks" };
        var faults = new Option<int>("--fault-events") { Description = "Log up to N individual page faults as events", DefaultValueFactory = _ => 0 };
        var lang = new Option<string>("--lang") { Description = "Language of the explanations: en or zh", DefaultValueFactory = _ => "en" };
        var stats = new Option<bool>("--stats") { Description = "Print wall time and simulated accesses per second to stderr" };
        var set = new Option<string[]>("--set")
        {
            Description = "Change a setting before running: vm.KEY=V, machine.KEY=V, seed=N or PROCESS.KEY=V (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var compare = new Option<string?>("--compare")
        {
            Description = "Run once per value and print the counters side by side, e.g. vm.swappiness=0,60,200",
        };
        var cmd = new Command("run", "Simulate a scenario and report /proc figures and events")
        {
            scenarioArg, json, timeline, interval, plot, faults, lang, stats, set, compare,
        };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var overrides = (parse.GetValue(set) ?? []).Select(a => ScenarioOverrides.ParseAssignment(a, "--set")).ToList();
            if (parse.GetValue(compare) is { } cmp)
            {
                if (ScenarioResolver.Load(parse.GetValue(scenarioArg), overrides).Machine.IsSegmented)
                    throw new InputException("--compare", 0, "--compare compares the paging machine's counters; run a segmented scenario once per setting with --set instead");
                return CompareRuns.Run(parse.GetValue(scenarioArg), overrides, cmp, parse.GetValue(json), stdout);
            }
            var scenario = ScenarioResolver.Load(parse.GetValue(scenarioArg), overrides);
            string? timelinePath = parse.GetValue(timeline);
            string? plotPath = parse.GetValue(plot);
            long intervalNs = 0;
            if (timelinePath is not null || plotPath is not null)
            {
                intervalNs = Units.ParseTime(parse.GetValue(interval)!, "--interval", 0);
                if (intervalNs <= 0) throw new InputException("--interval", 0, "expected a positive time such as 1ms");
            }
            string language = parse.GetValue(lang)!;
            if (language is not ("en" or "zh")) throw new InputException("--lang", 0, $"expected en or zh, got '{language}'");
            if (scenario.Machine.IsSegmented)
                return SegmentRun.Run(scenario, parse.GetValue(json), language, timelinePath is not null || plotPath is not null, stdout);
            int faultEvents = parse.GetValue(faults);
            if (faultEvents < 0) throw new InputException("--fault-events", 0, "expected a count of 0 or more");

            var progress = new ProgressDisplay(stderr);
            var machine = new SimMachine(scenario, new MachineOptions
            {
                SampleIntervalNs = intervalNs,
                FaultEventLimit = faultEvents,
                Progress = progress.Report,
            });
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            int gen0Before = GC.CollectionCount(0);
            var sw = Stopwatch.StartNew();
            progress.Run(machine);
            sw.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            int gen0 = GC.CollectionCount(0) - gen0Before;
            var report = RunReport.Build(machine);
            if (timelinePath is not null) TimelineCsv.Write(timelinePath, machine.Timeline);
            if (plotPath is not null)
                MemoryPlot.Write(plotPath, machine.Timeline, machine.Kernel.Phys.Zones, machine.Kernel.PageSize,
                    scenario.Title ?? scenario.Name ?? scenario.SourceName);
            // With CPU caches, --plot X.png also draws the hierarchy to X.caches.png.
            if (plotPath is not null && report.Caches is { } caches)
                CachePlot.Write(Path.ChangeExtension(plotPath, null) + ".caches.png", caches, scenario.Name ?? scenario.SourceName);
            if (parse.GetValue(json)) stdout.WriteLine(report.ToJson());
            else TextReport.Write(report, stdout, language);
            if (parse.GetValue(stats))
            {
                long accesses = machine.Executor.TotalAccesses;
                double secs = Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
                stderr.WriteLine($"mmsim: {accesses:N0} simulated accesses in {secs:F3} s of wall time in the run loop: {accesses / secs / 1e6:F1} M accesses/s; " +
                    $"{allocated / Math.Max(accesses, 1.0):F2} B allocated per access, {gen0} gen0 collections");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

/// <summary>Turns the scenario argument into a scenario: an existing file, else a built-in name; applies
/// <c>--set</c> overrides.</summary>
public static class ScenarioResolver
{
    public static Scenario Load(string? arg, IReadOnlyList<(string Key, string Value)>? overrides = null)
    {
        var (text, source, name) = Resolve(arg);
        return ScenarioOverrides.Apply(text, source, name, overrides ?? []);
    }

    public static (string Text, string Source, string Name) Resolve(string? arg)
    {
        if (string.IsNullOrEmpty(arg)) arg = RunCommand.DefaultScenario;
        if (File.Exists(arg)) return (ScenarioLoader.ReadFile(arg), arg, Path.GetFileNameWithoutExtension(arg));
        if (BuiltinScenarios.Exists(arg)) return (BuiltinScenarios.Text(arg), $"scenarios/{arg}.yaml", arg);
        if (arg.EndsWith(".yaml") || arg.EndsWith(".yml") || arg.Contains('/'))
            throw new InputException(arg, 0, "no such file");
        throw new InputException(arg, 0,
            $"no such file or built-in scenario; built-ins are: {string.Join(", ", BuiltinScenarios.Names)}");
    }
}

/// <summary>A progress bar on stderr for long runs, only when stderr is a terminal.</summary>
internal sealed class ProgressDisplay(TextWriter stderr)
{
    private ProgressTask? _task;

    public void Report(long done, long total)
    {
        if (_task is null) return;
        _task.MaxValue = Math.Max(total, done);
        _task.Value = done;
    }

    public void Run(SimMachine machine)
    {
        if (Console.IsErrorRedirected || !ReferenceEquals(stderr, Console.Error))
        {
            machine.Run();
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(true).Start(ctx =>
        {
            _task = ctx.AddTask("simulating", maxValue: 1);
            machine.Run();
            _task.Value = _task.MaxValue;
        });
    }
}
