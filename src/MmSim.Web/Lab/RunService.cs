using System.Diagnostics;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;
using YamlDotNet.Core;

namespace MmSim.Web.Lab;

/// <summary>
/// POST /api/run: parses a scenario with the CLI's parser, refuses it if it is too big (<see cref="ScenarioGuard"/>),
/// runs it within the server's limits (at most <see cref="WebLabOptions.MaxConcurrent"/> at once, a work budget
/// and a wall-clock limit checked in the run loop) and answers the document of <c>mmsim run --json</c> with the
/// timeline and the lab's views added.
/// </summary>
public sealed class RunService(WebLabOptions options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrent));

    public WebLabOptions Options => options;

    private int _running;

    /// <summary>Simulations running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Wall time of the last run's simulation (for the log and the benchmark).</summary>
    public TimeSpan LastRunTime { get; private set; }

    /// <summary>Runs posted YAML (<paramref name="builtin"/> null; its source is "scenario.yaml") or a built-in
    /// by name, as <c>mmsim run NAME</c> does (same source and name, so the same document).</summary>
    public async Task<ApiResult> RunAsync(string yaml, string? builtin, IReadOnlyList<(string Key, string Value)> overrides, CancellationToken aborted)
    {
        var recorder = new RunRecorder(options.MaxTimelinePoints);
        var (error, machine, wall) = await SimulateAsync(yaml, builtin, overrides, recorder.OnSample, aborted);
        if (error is not null) return error;
        recorder.Finish(machine!);
        return ApiResult.Ok(RunDocument.Write(RunReport.Build(machine!), machine!, recorder)) with { WallMs = Math.Round(wall.TotalMilliseconds, 1) };
    }

    /// <summary>Parses, checks and runs a scenario within the server's limits; the finished machine, or the error
    /// to answer.</summary>
    public async Task<(ApiResult? Error, SimMachine? Machine, TimeSpan Wall)> SimulateAsync(string yaml, string? builtin,
        IReadOnlyList<(string Key, string Value)> overrides, Action<SimMachine, long>? onSample, CancellationToken aborted)
    {
        Scenario scenario;
        try
        {
            if (builtin is not null && !BuiltinScenarios.Exists(builtin))
                return (ApiResult.Error(404, $"no built-in scenario '{builtin}'; built-ins are: {string.Join(", ", BuiltinScenarios.Names)}"), null, default);
            scenario = builtin is null
                ? ScenarioOverrides.Apply(yaml, "scenario.yaml", "scenario", overrides)
                : ScenarioOverrides.Apply(BuiltinScenarios.Text(builtin), $"scenarios/{builtin}.yaml", builtin, overrides);
        }
        catch (InputException e)
        {
            return (ApiResult.BadInput(e.Format(), e.Line), null, default);
        }
        catch (YamlException e)
        {
            return (ApiResult.BadInput($"scenario.yaml:{e.Start.Line}: {e.Message}", (int)e.Start.Line), null, default);
        }
        if (ScenarioGuard.Check(scenario, options) is { } refused) return (ApiResult.Error(422, refused), null, default);

        if (!await _slots.WaitAsync(options.QueueWait, aborted))
            return (ApiResult.Error(503, $"the server is already running {options.MaxConcurrent} simulations; try again shortly"), null, default);
        Interlocked.Increment(ref _running);
        try
        {
            return await Task.Run(() => Simulate(scenario, onSample, aborted), aborted);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }

    private static string Limit(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.##} s" : $"{t.TotalMilliseconds:0} ms";

    private (ApiResult?, SimMachine?, TimeSpan) Simulate(Scenario scenario, Action<SimMachine, long>? onSample, CancellationToken aborted)
    {
        var machine = new SimMachine(scenario, new MachineOptions
        {
            SampleIntervalNs = onSample is null ? 0 : 1_000_000,
            Cancellation = aborted,
            WallClockLimit = options.TimeLimit,
            AccessLimit = options.MaxAccesses,
            OnSample = onSample,
            Tracepoints = onSample is not null,
        });
        var sw = Stopwatch.StartNew();
        try
        {
            machine.Run();
        }
        catch (SimulationLimitException e)
        {
            string why = e.WallClock
                ? $"the simulation exceeded this server's wall-clock limit of {Limit(options.TimeLimit)} and was stopped (mmsim serve --time-limit raises it)"
                : e.Message.Contains("work budget") ? e.Message + " (mmsim serve --max-accesses raises it)" : e.Message;
            return (ApiResult.Error(422, why), null, sw.Elapsed);
        }
        sw.Stop();
        LastRunTime = sw.Elapsed;
        return (null, machine, sw.Elapsed);
    }
}
