using MmSim.Memcg;

namespace MmSim.Workloads;

/// <summary>
/// Checks <c>cgroups:</c> and <c>pods:</c>: unique paths (missing parents are made as by <c>mkdir -p</c>), every
/// process's cgroup exists, no process is placed in two cgroups, and none in a cgroup that has children (cgroup
/// v2's "no internal process" rule). Adds the pods' cgroups (<see cref="Kubelet"/>).
/// </summary>
public static class CgroupValidator
{
    public static void Validate(Scenario scenario)
    {
        string src = scenario.SourceName;
        var byPath = new Dictionary<string, CgroupSpec>(StringComparer.Ordinal);
        foreach (var c in scenario.Cgroups)
        {
            if (c.Path == "kubepods" || c.Path.StartsWith("kubepods/", StringComparison.Ordinal))
                if (scenario.Pods.Count > 0)
                    throw new InputException(src, c.Line, $"cgroup '{c.Path}' is made by the kubelet for the pods; choose another path");
            if (!byPath.TryAdd(c.Path, c))
                throw new InputException(src, c.Line, $"cgroup '{c.Path}' is declared twice (first at line {byPath[c.Path].Line})");
        }
        Kubelet.AddPodCgroups(scenario);
        byPath.Clear();
        foreach (var c in scenario.Cgroups) byPath[c.Path] = c;
        // mkdir -p: parents not written out get the defaults.
        foreach (var c in scenario.Cgroups.ToList())
        {
            string p = c.Path;
            for (int i = p.LastIndexOf('/'); i > 0; i = p.LastIndexOf('/'))
            {
                p = p[..i];
                if (byPath.ContainsKey(p)) continue;
                var parent = new CgroupSpec { Path = p, Line = c.Line };
                byPath[p] = parent;
                scenario.Cgroups.Add(parent);
            }
        }
        // Parents before children, each level in the order written: the order of creation.
        scenario.Cgroups = scenario.Cgroups.OrderBy(c => c.Path.Count(ch => ch == '/')).ToList();

        var placed = new Dictionary<ProcessSpec, (string Path, int Line)>();
        foreach (var p in scenario.Processes)
        {
            if (p.Cgroup is null) continue;
            if (p.Cgroup.Length == 0) { p.Cgroup = null; continue; }
            if (!byPath.ContainsKey(p.Cgroup))
                throw new InputException(src, p.Line,
                    $"process '{p.Name}' is placed in cgroup '{p.Cgroup}', which is not declared in cgroups:{Suggest.Expected(p.Cgroup, byPath.Keys.ToList())}");
            placed[p] = (p.Cgroup, p.Line);
        }
        foreach (var c in scenario.Cgroups)
        {
            foreach (string name in c.Procs)
            {
                var matches = scenario.Processes.Where(p => p.Name == name).ToList();
                if (matches.Count == 0)
                    throw new InputException(src, c.Line, $"cgroup '{c.Path}' lists process '{name}', which does not exist");
                if (matches.Count > 1)
                    throw new InputException(src, c.Line, $"cgroup '{c.Path}' lists process '{name}', but several processes have that name");
                var p = matches[0];
                if (placed.TryGetValue(p, out var was) && was.Path != c.Path)
                    throw new InputException(src, c.Line,
                        $"process '{name}' is placed in two cgroups: '{was.Path}' (line {was.Line}) and '{c.Path}'; a process is in exactly one cgroup");
                placed[p] = (c.Path, c.Line);
                p.Cgroup = c.Path;
            }
        }
        NoInternalProcesses(scenario, placed);
    }

    /// <summary>
    /// cgroup v2's "no internal process" rule (Documentation/admin-guide/cgroup-v2.rst): the memory controller is
    /// enabled in a parent's cgroup.subtree_control for its children to have memory files, and the kernel then
    /// refuses tasks in that parent (cgroup_migrate_vet_dst returns -EBUSY when the destination's subtree_control
    /// is not empty). The root cgroup is exempt; scenario paths are below it.
    /// </summary>
    private static void NoInternalProcesses(Scenario scenario, Dictionary<ProcessSpec, (string Path, int Line)> placed)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in scenario.Cgroups)
            if (c.Path.LastIndexOf('/') is var i and > 0) parents.Add(c.Path[..i]);
        foreach (var p in scenario.Processes)
            if (p.Cgroup is { } cg && parents.Contains(cg))
                throw new InputException(scenario.SourceName, placed.TryGetValue(p, out var at) ? at.Line : p.Line,
                    $"process '{p.Name}' cannot be placed in cgroup '{cg}': it has child cgroups, and cgroup v2 keeps " +
                    "processes out of a cgroup whose children have the memory controller (the \"no internal process\" rule; " +
                    $"writing its pid to cgroup.procs fails with EBUSY). Put it in a leaf, e.g. '{cg}/{p.Name}'");
    }
}
