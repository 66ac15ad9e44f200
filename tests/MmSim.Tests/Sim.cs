using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests;

/// <summary>Runs scenarios for tests, checking the machine's invariants after every run.</summary>
internal static class Sim
{
    public static SimMachine Run(string yaml, MachineOptions? options = null)
    {
        var scenario = ScenarioLoader.LoadText(yaml, "test.yaml");
        var m = new SimMachine(scenario, options);
        m.Run();
        m.CheckInvariants();
        return m;
    }

    public static RunReport Report(string yaml) => RunReport.Build(Run(yaml));

    /// <summary>A built-in scenario with settings changed (as <c>--set KEY=VALUE</c>), run and checked.</summary>
    public static SimMachine RunBuiltin(string name, params (string Key, string Value)[] overrides)
    {
        var m = new SimMachine(ScenarioOverrides.Apply(BuiltinScenarios.Text(name), name, name, overrides));
        m.Run();
        m.CheckInvariants();
        return m;
    }

    public static ProcessReport Proc(this RunReport r, string name) => r.Processes.Single(p => p.Name == name);
}
