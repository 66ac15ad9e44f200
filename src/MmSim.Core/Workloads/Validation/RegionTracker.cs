namespace MmSim.Workloads;

/// <summary>
/// Walks the steps of one process in order and checks every reference: a region must have been created by alloc
/// or map_file and not freed since, a name may not be created twice while alive, a file must be declared, a touch
/// must stay inside its region. A repeat body is walked once when it runs once (or never: it is still checked),
/// twice when it runs more often: the regions alive after a body depend only on the last step naming each region,
/// so the second pass sees every state a later pass would.
/// </summary>
internal sealed class RegionTracker(Scenario scenario, ProcessSpec process)
{
    private readonly record struct Region(string Name, long SizeBytes, int Line);

    private Dictionary<string, Region> _alive = new(StringComparer.Ordinal);
    private Dictionary<string, int> _freedAt = new(StringComparer.Ordinal);
    private string _context = "";

    public void Run() => Walk(process.Steps);

    private void Walk(List<Step> steps)
    {
        foreach (var step in steps) Check(step);
    }

    private void Check(Step step)
    {
        switch (step)
        {
            case AllocStep a:
                Define(a, a.Name, a.SizeBytes);
                break;
            case MapFileStep m:
                var file = RequireFile(m, m.Path);
                long length = m.LengthBytes ?? file.SizeBytes - m.OffsetBytes;
                if (length <= 0)
                    throw Error(m, $"map_file of '{m.Path}' at offset {m.OffsetBytes} starts at or past its end " +
                                   $"({file.SizeBytes} bytes); give an explicit length");
                Define(m, m.Name, length);
                break;
            case TouchStep t:
                var region = Require(t, t.Region);
                long end = t.OffsetBytes + (t.LengthBytes ?? Math.Max(0, region.SizeBytes - t.OffsetBytes));
                if (t.OffsetBytes >= region.SizeBytes || end > region.SizeBytes)
                    throw Error(t, $"touch of [{t.OffsetBytes}, {end}) is outside region '{t.Region}' " +
                                   $"({Units.FormatSize(region.SizeBytes)}, created at line {region.Line})");
                break;
            case AccessStep { Region: { } name } a:
                Require(a, name);
                break;
            case MlockStep l:
                Require(l, l.Region);
                break;
            case FreeStep f:
                Require(f, f.Region);
                _alive.Remove(f.Region);
                _freedAt[f.Region] = f.Line;
                break;
            case ReadFileStep r:
                RequireFile(r, r.Path);
                break;
            case WriteFileStep w:
                RequireFile(w, w.Path);
                break;
            case RepeatStep rep:
                Repeat(rep);
                break;
            case ForkStep fork:
            {
                // The child starts with the parent's regions; what it frees does not affect the parent.
                var (alive, freed) = (new Dictionary<string, Region>(_alive), new Dictionary<string, int>(_freedAt));
                string outer = _context;
                _context = $" (in the child forked at line {fork.Line})";
                Walk(fork.Steps);
                (_alive, _freedAt, _context) = (alive, freed, outer);
                break;
            }
        }
    }

    private void Repeat(RepeatStep rep)
    {
        string outer = _context;
        if (rep.Times == 0)
        {
            var (alive, freed) = (new Dictionary<string, Region>(_alive), new Dictionary<string, int>(_freedAt));
            Walk(rep.Steps);
            (_alive, _freedAt) = (alive, freed);
            return;
        }
        Walk(rep.Steps);
        if (rep.Times >= 2)
        {
            _context = $" (in the second pass of the repeat at line {rep.Line})";
            Walk(rep.Steps);
            _context = outer;
        }
    }

    private void Define(Step step, string name, long size)
    {
        if (_alive.TryGetValue(name, out var existing))
            throw Error(step, $"region '{name}' is already defined (line {existing.Line}) and not freed; " +
                              "free it first or choose another name");
        _alive[name] = new Region(name, size, step.Line);
        _freedAt.Remove(name);
    }

    private Region Require(Step step, string name)
    {
        if (_alive.TryGetValue(name, out var region)) return region;
        string alive = _alive.Count == 0 ? "none" : string.Join(", ", _alive.Keys);
        string why = _freedAt.TryGetValue(name, out int freedLine)
            ? $"region '{name}' was freed at line {freedLine}"
            : $"unknown region '{name}'; create it first with alloc or map_file";
        throw Error(step, $"{why} (regions alive here in process '{process.Name}': {alive})");
    }

    private FileSpec RequireFile(Step step, string path)
    {
        if (scenario.FindFile(path) is { } file) return file;
        string declared = scenario.Files.Count == 0 ? "none" : string.Join(", ", scenario.Files.Select(f => f.Path));
        throw Error(step, $"file '{path}' is not declared in 'files' (declared: {declared})");
    }

    private InputException Error(Step step, string message) =>
        new(scenario.SourceName, step.Line, message + _context);
}
