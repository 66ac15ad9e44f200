using System.Text.RegularExpressions;
using MmSim.Reports;

namespace MmSim.Tests.Docs;

/// <summary>The README's scenario example runs as the README says.</summary>
public class ReadmeTests
{
    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(p) && File.Exists(Path.Combine(dir.FullName, "MmSim.slnx"))) return File.ReadAllText(p);
        }
        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_scenario_example_runs()
    {
        var m = Regex.Match(Readme(), "## Scenarios\n\n```yaml\n(.*?)```", RegexOptions.Singleline);
        Assert.True(m.Success, "the README has a YAML example under ## Scenarios");
        var r = RunReport.Build(Sim.Run(m.Groups[1].Value));
        Assert.Equal("exited", r.Proc("app").State);
        Assert.Equal("running", r.Proc("child").State);
        Assert.Equal(16384, r.Proc("app").MinFlt);   // first touches; the repeats and the random accesses hit
        Assert.Equal(16384, r.Proc("child").MinFlt); // every page copied on write after fork
        Assert.InRange(r.Vmstat["pgpgin"], 16384, 16384 + 256); // the 16 MiB read(), plus the last read-ahead window
    }
}
