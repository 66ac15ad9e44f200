using MmSim.Cli.Formatting;
using MmSim.Segmentation;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim translate --scenario FILE --pid N --segment S --offset O</c>: runs a segmented scenario,
/// then translates (segment, offset) of the process through its segment table as the run left it (a process
/// without an <c>exit</c> step keeps its segments).</summary>
internal static class SegmentScenarioWalk
{
    public static int Run(string scenarioArg, int? pid, int? segment, string? offsetText, string? address, string access, bool json, TextWriter stdout)
    {
        if (address is not null) throw new InputException("ADDRESS", 0, "--segment takes --offset, not an address");
        if (pid is not int p) throw new InputException("--pid", 0, "--scenario needs --pid, the process whose segment table is used");
        string offText = offsetText ?? throw new InputException("--offset", 0, "--segment needs --offset, the offset in the segment");
        if (!SegmentTable.Number(offText, out long offset)) throw new InputException("--offset", 0, $"invalid offset '{offText}'; expected a non-negative number");
        var how = access.Length == 1 ? Segment.ParseLetters(access) : null;
        if (how is null) throw new InputException("--access", 0, $"invalid access '{access}'; expected r, w or x");
        var scenario = ScenarioResolver.Load(scenarioArg);
        if (!scenario.Machine.IsSegmented)
            throw new InputException(scenario.SourceName, scenario.Machine.Line,
                $"--segment needs a scenario with machine.translation segmentation or segmented_paging, not {scenario.Machine.Translation}; give an ADDRESS to walk its page table");
        var m = new SegMachine(scenario);
        if (m.Processes.All(x => x.Pid != p))
            throw new InputException("--pid", 0, $"no process {p} in the scenario; its pids are {string.Join(", ", m.Processes.Select(t => t.Pid))}");
        m.Run();
        var walk = m.Translate(p, segment!.Value, offset, how.Value);
        stdout.WriteLine(json ? SegmentReport.Json(walk) : SegmentReport.Text(walk, m.Process(p), how.Value, scenario.Machine.PageSize));
        return ExitCodes.Ok;
    }
}
