using MmSim.Machine;
using MmSim.Workloads;

namespace MmSim.Web.Lab;

/// <summary>Refuses, before anything is allocated, a scenario too big for this server: a machine or swap area
/// over the limit, more simulated accesses than the work budget, or more steps than allowed (a repeat of a
/// billion). The message says which limit and how to raise it.</summary>
public static class ScenarioGuard
{
    /// <summary>null when the scenario may run, else why not.</summary>
    public static string? Check(Scenario s, WebLabOptions o)
    {
        long mem = s.Machine.MemoryBytes, swap = s.Machine.SwapBytes;
        if (mem > o.MaxMemoryBytes)
            return $"machine.memory {Units.FormatSize(mem)} is more than this server simulates (at most {Units.FormatSize(o.MaxMemoryBytes)}; mmsim serve --max-memory raises it)";
        if (swap > o.MaxMemoryBytes)
            return $"machine.swap {Units.FormatSize(swap)} is more than this server simulates (at most {Units.FormatSize(o.MaxMemoryBytes)}; mmsim serve --max-memory raises it)";
        foreach (var f in s.Files)
            if (f.SizeBytes > o.MaxMemoryBytes * 4)
                return $"file {f.Path} of {Units.FormatSize(f.SizeBytes)} is more than this server simulates (at most {Units.FormatSize(o.MaxMemoryBytes * 4)})";
        long accesses = SimMachine.EstimateAccesses(s);
        if (accesses > o.MaxAccesses)
            return $"the scenario asks for {Count(accesses)} simulated accesses, more than this server's work budget of {o.MaxAccesses:N0} (mmsim serve --max-accesses raises it)";
        long steps = 0;
        foreach (var p in s.Processes) steps = SatAdd(steps, Steps(p.Steps));
        if (steps > o.MaxSteps)
            return $"the scenario asks for {Count(steps)} steps (repeats included), more than this server's limit of {o.MaxSteps:N0}";
        return null;
    }

    private static string Count(long n) => n == long.MaxValue ? "more than 9.2e18" : n.ToString("N0");

    private static long Steps(List<Step> steps)
    {
        long n = 0;
        foreach (var s in steps)
        {
            n = SatAdd(n, 1);
            switch (s)
            {
                case RepeatStep r: n = SatAdd(n, SatMul(Steps(r.Steps), r.Times)); break;
                case ForkStep f: n = SatAdd(n, Steps(f.Steps)); break;
            }
        }
        return n;
    }

    private static long SatAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
    private static long SatMul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
