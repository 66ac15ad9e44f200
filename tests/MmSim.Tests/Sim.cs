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

    public static ProcessReport Proc(this RunReport r, string name) => r.Processes.Single(p => p.Name == name);
}
