namespace MmSim.Workloads;

/// <summary>
/// Checks a segmented scenario before it runs: pinned segments inside memory and not overlapping (within and
/// across processes), no segment larger than memory under segmentation (it could never be placed), and every
/// access, touch and free naming a segment the process has declared earlier (pinned or by a <c>segment</c> step).
/// </summary>
internal static class SegmentValidator
{
    public static void Validate(Scenario scenario)
    {
        var m = scenario.Machine;
        bool contiguous = m.Translation == "segmentation";
        var pinned = new List<(long Base, long End, ProcessSpec P, SegmentSpec S)>();
        foreach (var p in scenario.Processes)
        {
            var declared = new HashSet<int>();
            foreach (var s in p.Segments)
            {
                if (!declared.Add(s.Id))
                    throw new InputException(scenario.SourceName, s.Line, $"segment {s.Id} of process '{p.Name}' is given twice");
                if (contiguous) CheckSize(scenario, s.Line, s.Limit, $"segment {s.Id}");
                if (s.Base is not long b) continue;
                if (b + s.Limit > m.MemoryBytes)
                    throw new InputException(scenario.SourceName, s.Line,
                        $"segment {s.Id} (base {b}, limit {s.Limit}) ends at {b + s.Limit}, beyond machine.memory ({m.MemoryBytes} bytes)");
                foreach (var o in pinned)
                    if (b < o.End && o.Base < b + s.Limit)
                        throw new InputException(scenario.SourceName, s.Line,
                            $"segment {s.Id} of '{p.Name}' [{b}, {b + s.Limit}) overlaps segment {o.S.Id} of '{o.P.Name}' [{o.Base}, {o.End}) (line {o.S.Line})");
                pinned.Add((b, b + s.Limit, p, s));
            }
            CheckSteps(scenario, p, p.Steps, declared, contiguous);
        }
    }

    private static void CheckSteps(Scenario scenario, ProcessSpec p, List<Step> steps, HashSet<int> declared, bool contiguous)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case SegmentStep s:
                    if (contiguous) CheckSize(scenario, s.Line, s.SizeBytes, $"segment {s.Id}");
                    declared.Add(s.Id);
                    break;
                case SegmentAccessStep a: Known(scenario, p, a, a.Segment, declared); break;
                case SegmentTouchStep t: Known(scenario, p, t, t.Segment, declared); break;
                case SegmentFreeStep f: Known(scenario, p, f, f.Segment, declared); break;
                case RepeatStep r: CheckSteps(scenario, p, r.Steps, declared, contiguous); break;
            }
        }
    }

    private static void CheckSize(Scenario scenario, int line, long size, string what)
    {
        if (size > scenario.Machine.MemoryBytes)
            throw new InputException(scenario.SourceName, line,
                $"{what} of {size} bytes is bigger than machine.memory ({scenario.Machine.MemoryBytes} bytes): it could never be placed");
    }

    private static void Known(Scenario scenario, ProcessSpec p, Step step, int id, HashSet<int> declared)
    {
        if (!declared.Contains(id))
            throw new InputException(scenario.SourceName, step.Line,
                $"{step.Kind} names segment {id}, which process '{p.Name}' has not declared (in 'segments' or by an earlier 'segment' step)");
    }
}
