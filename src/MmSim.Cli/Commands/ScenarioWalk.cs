using MmSim.Cli.Formatting;
using MmSim.Machine;
using MmSim.Translate;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim translate --scenario FILE --pid N ADDRESS</c>: runs the scenario, then walks the process's
/// page table as the run left it (a process without an <c>exit</c> step keeps its memory).</summary>
internal static class ScenarioWalk
{
    public static int Run(string scenarioArg, int? pid, string? addressText, string access, bool json, TextWriter stdout)
    {
        if (pid is not int p) throw new InputException("--pid", 0, "--scenario needs --pid, the process whose page table is walked");
        if (addressText is null) throw new InputException("ADDRESS", 0, "expected an address to translate, e.g. 0x7ffff7ff0000");
        ulong address = TranslateInput.ParseAddress(addressText);
        if (access is not ("r" or "w")) throw new InputException("--access", 0, $"invalid access '{access}'; expected r or w with --scenario");
        var machine = new SimMachine(ScenarioResolver.Load(scenarioArg));
        var task = machine.Tasks.FirstOrDefault(t => t.Pid == p)
            ?? throw new InputException("--pid", 0, $"no process {p} in the scenario; its pids are {string.Join(", ", machine.Tasks.Select(t => t.Pid))}");
        machine.Run();
        var r = PageWalk.Walk(machine.Kernel, task.Mm, address, write: access == "w");
        if (json) stdout.WriteLine(WalkReport.Json(p, r, task.Mm.Tlb));
        else WalkReport.Text(p, r, task.Mm.Vmas, task.Mm.Tlb, stdout);
        return ExitCodes.Ok;
    }
}
