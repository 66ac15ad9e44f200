namespace MmSim.Workloads;

/// <summary>
/// A whole scenario: the machine, the kernel tunables, the files on disk and the processes with their steps.
/// Built by <see cref="ScenarioLoader"/> from YAML (see docs/scenario-format.md) or in code, then checked by
/// <see cref="ScenarioValidator"/>.
/// </summary>
public sealed class Scenario
{
    /// <summary>The file (or resource) the scenario came from, for error messages: "scenarios/lazy-allocation.yaml".</summary>
    public string SourceName { get; set; } = "scenario";

    /// <summary>The <c>name:</c> key, else the built-in's name or the file name without extension.</summary>
    public string? Name { get; set; }

    public string? Title { get; set; }

    /// <summary>One paragraph in English, printed with the report.</summary>
    public string? Description { get; set; }

    /// <summary>The same paragraph in Chinese.</summary>
    public string? DescriptionZh { get; set; }

    /// <summary>Seeds every random choice; process <c>p</c> draws from <c>new Pcg32(Seed, (ulong)p.Pid)</c>.</summary>
    public ulong Seed { get; set; } = 42;

    public MachineSpec Machine { get; set; } = new();
    public VmSpec Vm { get; set; } = new();
    public List<FileSpec> Files { get; set; } = [];
    public List<ProcessSpec> Processes { get; set; } = [];
    /// <summary><c>cgroups:</c> (memcg issue), pods' cgroups included after parsing.</summary>
    public List<CgroupSpec> Cgroups { get; set; } = [];
    /// <summary><c>pods:</c>; their containers are also in <see cref="Processes"/>.</summary>
    public List<PodSpec> Pods { get; set; } = [];

    /// <summary>The file declared with this path, or null.</summary>
    public FileSpec? FindFile(string path) => Files.Find(f => f.Path == path);
}
