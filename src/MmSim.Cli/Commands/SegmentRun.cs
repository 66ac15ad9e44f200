using MmSim.Cli.Formatting;
using MmSim.Reports;
using MmSim.Segmentation;
using MmSim.Workloads;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim run</c> of a scenario under <c>translation: segmentation | segmented_paging</c>: runs the
/// segmented machine (<see cref="SegMachine"/>) and prints its report.</summary>
internal static class SegmentRun
{
    public static int Run(Scenario scenario, bool json, string lang, bool timelineOrPlot, TextWriter stdout)
    {
        if (timelineOrPlot)
            throw new InputException("--timeline", 0,
                $"--timeline and --plot sample /proc/meminfo, which translation: {scenario.Machine.Translation} does not have; the report's fragmentation_timeline has the samples");
        var m = new SegMachine(scenario);
        m.Run();
        var report = SegmentationReport.Build(m);
        if (json) stdout.WriteLine(report.ToJson());
        else SegmentRunText.Write(report, stdout, lang);
        return ExitCodes.Ok;
    }
}
