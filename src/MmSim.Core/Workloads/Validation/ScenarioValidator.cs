namespace MmSim.Workloads;

/// <summary>
/// Checks what the parser cannot see value by value: unique absolute file paths, pids (assigning the missing
/// ones), and every region and file reference of every process. Throws <see cref="InputException"/> naming the
/// line. Also usable on scenarios built in code.
/// </summary>
public static class ScenarioValidator
{
    /// <summary>The first pid given to a process without <c>pid:</c>.</summary>
    public const int FirstPid = 1000;

    public static void Validate(Scenario scenario)
    {
        CheckFiles(scenario);
        AssignPids(scenario);
        CgroupValidator.Validate(scenario); // memcg issue
        if (scenario.Machine.IsSegmented) SegmentValidator.Validate(scenario);
        else foreach (var process in scenario.Processes) new RegionTracker(scenario, process).Run();
    }

    private static void CheckFiles(Scenario scenario)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in scenario.Files)
        {
            if (!file.Path.StartsWith('/'))
                throw new InputException(scenario.SourceName, file.Line,
                    $"file path '{file.Path}' must be absolute (start with '/')");
            if (file.Path.EndsWith('/'))
                throw new InputException(scenario.SourceName, file.Line,
                    $"file path '{file.Path}' names a directory; expected a regular file");
            if (!seen.TryAdd(file.Path, file.Line))
                throw new InputException(scenario.SourceName, file.Line,
                    $"file '{file.Path}' is declared twice (first at line {seen[file.Path]})");
            if (file.SizeBytes < 0)
                throw new InputException(scenario.SourceName, file.Line, $"file '{file.Path}' has a negative size");
        }
    }

    /// <summary>Explicit pids must be unique; the others get 1000, 1001, ... in order, skipping taken ones.</summary>
    private static void AssignPids(Scenario scenario)
    {
        var taken = new Dictionary<int, ProcessSpec>();
        foreach (var p in scenario.Processes.Where(p => p.Pid != 0))
        {
            if (p.Pid < 0 || p.Pid > ScenarioParser.PidMax)
                throw new InputException(scenario.SourceName, p.Line,
                    $"pid of process '{p.Name}' must be between 1 and {ScenarioParser.PidMax}, got {p.Pid}");
            if (!taken.TryAdd(p.Pid, p))
                throw new InputException(scenario.SourceName, p.Line,
                    $"pid {p.Pid} of process '{p.Name}' is already used by process '{taken[p.Pid].Name}' (line {taken[p.Pid].Line})");
        }
        int next = FirstPid;
        foreach (var p in scenario.Processes.Where(p => p.Pid == 0))
        {
            while (taken.ContainsKey(next)) next++;
            p.Pid = next;
            taken[next] = p;
        }
    }
}
