using System.Text;
using CsCheck;
using MmSim.Machine;
using MmSim.Reports;
using MmSim.Workloads;

namespace MmSim.Tests.Machine;

/// <summary>
/// Random scenarios — small machines with and without swap, one or two CPUs, several processes that allocate,
/// touch, access, fork, mlock, map, read and write files and unmap, under random vm settings — each run to the end
/// with every invariant checked after the run (<see cref="SimMachine.CheckInvariants"/>: frames free or owned
/// exactly once, mapcounts, RSS, LRU sizes, node counters) and every access of an anonymous page checked against
/// what its process last wrote there (<see cref="ContentShadow"/>), through swap-out and swap-in, copy on write,
/// reclaim and the OOM killer. A failure prints the scenario.
/// </summary>
public class RandomScenarioTests
{
    [Fact]
    public void Random_scenarios_keep_every_invariant_and_every_written_value()
    {
        long checkedAccesses = 0;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            string yaml = RandomScenario(seed);
            SimMachine m;
            try
            {
                var scenario = ScenarioLoader.LoadText(yaml, "random.yaml");
                m = new SimMachine(scenario, new MachineOptions { CheckContents = true, AccessLimit = 2_000_000 });
                m.Run();
                m.CheckInvariants();
            }
            catch (Exception e)
            {
                throw new Exception($"seed {seed}: {e.Message}\n{yaml}", e);
            }
            string? broken = BrokenIdentity(RunReport.Build(m), yaml.Contains("memory.oom.group: 1", StringComparison.Ordinal));
            if (broken is not null) throw new Exception($"seed {seed}: {broken}\n{yaml}");
            Interlocked.Add(ref checkedAccesses, m.Contents!.Checked);
        }, iter: 60, threads: 1);
        Assert.True(checkedAccesses > 100_000, $"only {checkedAccesses} accesses checked: the scenarios hardly touch anonymous memory");
    }

    /// <summary>Identities of the report that hold whatever the scenario: the first one broken, or null.</summary>
    private static string? BrokenIdentity(RunReport r, bool groupKills)
    {
        var mi = r.Meminfo;
        var v = r.Vmstat;
        long V(string name) => v.GetValueOrDefault(name);
        // The LRU lists (meminfo's Active/Inactive) are the sums of their anon and file halves.
        if (mi["Active"] != mi["Active(anon)"] + mi["Active(file)"]) return "Active is not Active(anon) + Active(file)";
        if (mi["Inactive"] != mi["Inactive(anon)"] + mi["Inactive(file)"]) return "Inactive is not Inactive(anon) + Inactive(file)";
        if (mi["MemFree"] > mi["MemTotal"] || mi["MemAvailable"] > mi["MemTotal"]) return "MemFree or MemAvailable above MemTotal";
        if (mi["SwapFree"] > mi["SwapTotal"]) return "SwapFree above SwapTotal";
        // Every page stolen was scanned first; every page read from swap was the faulting page or read-ahead.
        if (V("pgsteal_kswapd") > V("pgscan_kswapd")) return $"pgsteal_kswapd {V("pgsteal_kswapd")} > pgscan_kswapd {V("pgscan_kswapd")}";
        if (V("pgsteal_direct") > V("pgscan_direct")) return $"pgsteal_direct {V("pgsteal_direct")} > pgscan_direct {V("pgscan_direct")}";
        if (V("pswpin") > V("pgmajfault") + V("swap_ra")) return $"pswpin {V("pswpin")} > pgmajfault {V("pgmajfault")} + swap_ra {V("swap_ra")}";
        // A swap slot in use is held by page-table entries (VmSwap) or by the swap cache, or both.
        long slotsKb = mi["SwapTotal"] - mi["SwapFree"];
        long vmSwap = r.Processes.Where(p => p.State == "running").Sum(p => p.VmSwap);
        if (slotsKb > vmSwap + mi["SwapCached"]) return $"swap in use {slotsKb} kB > VmSwap {vmSwap} kB + SwapCached {mi["SwapCached"]} kB";
        // A process's time adds up: on a CPU, waiting for I/O, asleep, throttled by memory.high or waiting for a CPU.
        // Not asserted for a killed process: killed by another's allocation it may be in the middle of a slice or of
        // an I/O wait whose time was counted when it started (off by microseconds; the built-ins' kills add up:
        // KswapdCpuTests).
        foreach (var p in r.Processes.Where(p => p.StartNs >= 0 && p.EndNs >= 0 && p.State != "killed"))
            if (p.EndNs - p.StartNs != p.CpuNs + p.IoWaitNs + p.SleepNs + p.HighThrottleNs + p.RunDelayNs)
                return $"{p.Name}: end − start {p.EndNs - p.StartNs} != cpu {p.CpuNs} + io_wait {p.IoWaitNs} + sleep {p.SleepNs} + " +
                       $"high_throttle {p.HighThrottleNs} + run_delay {p.RunDelayNs} ({p.State})";
        // Each victim is counted once, except that a memory.oom.group kill counts the chosen victim a second time
        // (oom_kill_memcg_member runs __oom_kill_process on it again, as Linux 6.1 does: docs/memcg.md).
        long victims = r.Processes.Count(p => p.Reason is { } why && why.StartsWith("killed by the", StringComparison.Ordinal) && why.Contains("OOM killer", StringComparison.Ordinal));
        if (V("oom_kill") < victims || (!groupKills && V("oom_kill") != victims))
            return $"oom_kill {V("oom_kill")} but {victims} processes killed by the OOM killer";
        return null;
    }

    /// <summary>A scenario drawn from <paramref name="seed"/>: every region a step names is allocated before it
    /// and not yet freed, so the scenario is valid.</summary>
    internal static string RandomScenario(int seed)
    {
        var rnd = new Random(seed);
        T Pick<T>(params T[] xs) => xs[rnd.Next(xs.Length)];
        int memMiB = Pick(64, 96, 128);
        int swapMiB = Pick(0, 0, 64, 256);
        var sb = new StringBuilder();
        sb.AppendLine($"seed: {rnd.Next(1, 1000)}");
        int pageKiB = Pick(4, 4, 4, 4, 16, 64);
        string translation = pageKiB == 4 ? Pick("x86_64", "x86_64", "x86_64_la57") : "x86_64";
        sb.AppendLine($"machine: {{ memory: {memMiB}MiB, page_size: {pageKiB}KiB, translation: {translation}, swap: {swapMiB}MiB, cpus: {Pick(1, 1, 2)}, kswapd_cpu: {Pick("own", "own", "shared")}, " +
                      $"transparent_hugepage: {Pick("never", "madvise", "always")}, tlb_entries: {Pick(16, 64)}, tlb_l2_entries: {Pick(0, 0, 256)}, pcid: {Pick("false", "true")} }}");
        sb.AppendLine($"vm: {{ swappiness: {Pick(0, 60, 200)}, overcommit_memory: {Pick(0, 0, 1, 2)}, overcommit_ratio: {Pick(50, 150)}, page_cluster: {Pick(0, 3)}, " +
                      $"dirty_ratio: {Pick(5, 20)}, dirty_background_ratio: {Pick(2, 10)}, min_free_kbytes: {Pick("auto", "auto", "4096")}, " +
                      $"oom_kill_allocating_task: {Pick(0, 0, 1)}, fault_around_bytes: {Pick(pageKiB * 1024, 65536)}, read_ahead_kb: {Pick(0, 128)} }}");
        sb.AppendLine("files:");
        sb.AppendLine("  - { path: /data/a, size: 16MiB }");
        sb.AppendLine("  - { path: /data/b, size: 8MiB }");
        int procs = rnd.Next(1, 6);
        bool cgroups = rnd.Next(3) == 0;
        if (cgroups)
        {
            // Two sibling cgroups under one parent: limits, protection, no swap, group kills.
            sb.AppendLine("cgroups:");
            sb.AppendLine($"  - {{ path: top, memory.max: {Pick("max", $"{memMiB * 3 / 4}MiB")} }}");
            sb.AppendLine($"  - {{ path: top/a, memory.max: {rnd.Next(8, memMiB / 2)}MiB, memory.high: {Pick("max", $"{rnd.Next(8, memMiB / 2)}MiB")}, memory.swap.max: {Pick("max", "0")}, memory.oom.group: {Pick(0, 1)} }}");
            sb.AppendLine($"  - {{ path: top/b, memory.low: {rnd.Next(0, memMiB / 2)}MiB, memory.min: {Pick(0, 0, 4)}MiB }}");
        }
        sb.AppendLine("processes:");
        for (int p = 0; p < procs; p++)
        {
            sb.AppendLine($"  - name: p{p}");
            sb.AppendLine($"    oom_score_adj: {Pick(0, 0, 500, -1000)}");
            if (cgroups && rnd.Next(3) > 0) sb.AppendLine($"    cgroup: {Pick("top/a", "top/b")}");
            if (p > 0 && rnd.Next(3) == 0) sb.AppendLine($"    start_at: {rnd.Next(0, 50)}ms");
            if (p > 0 && rnd.Next(4) == 0) sb.AppendLine($"    start_after: p{rnd.Next(p)}");
            if (rnd.Next(4) == 0) sb.AppendLine($"    stack: {Pick("1MiB", "8MiB")}");
            sb.AppendLine("    steps:");
            var live = new List<(string Name, int MiB, bool File)>();
            int steps = rnd.Next(3, 9);
            for (int s = 0; s < steps; s++) Step(sb, rnd, live, memMiB, "      ", depth: 0, ref s);
            if (rnd.Next(4) == 0) sb.AppendLine("      - exit");
        }
        return sb.ToString();
    }

    private static void Step(StringBuilder sb, Random rnd, List<(string Name, int MiB, bool File)> live, int memMiB,
        string ind, int depth, ref int s)
    {
        int op = rnd.Next(13);
        var anon = live.Where(r => !r.File).ToList();
        if (live.Count == 0 || op < 3)
        {
            string name = $"r{s}";
            int mib = rnd.Next(1, memMiB * 3 / 4);
            if (rnd.Next(3) == 0)
            {
                string path = rnd.Next(2) == 0 ? "/data/a" : "/data/b";
                bool shared = rnd.Next(2) == 0;
                sb.AppendLine($"{ind}- map_file: {{ name: {name}, path: {path}, prot: rw, shared: {(shared ? "true" : "false")} }}");
                live.Add((name, path == "/data/a" ? 16 : 8, true));
            }
            else
            {
                sb.AppendLine($"{ind}- alloc: {{ name: {name}, size: {mib}MiB }}");
                live.Add((name, mib, false));
            }
            return;
        }
        var (region, size, _) = live[rnd.Next(live.Count)];
        switch (op)
        {
            case 3:
            case 4:
                sb.AppendLine($"{ind}- touch: {{ region: {region}, write: {(rnd.Next(3) > 0 ? "true" : "false")}{(rnd.Next(3) == 0 ? ", stride: 12KiB" : "")} }}");
                break;
            case 5:
            case 6:
                sb.AppendLine($"{ind}- access: {{ region: {region}, pattern: {(rnd.Next(2) == 0 ? "zipf" : "random")}, count: {rnd.Next(1000, 40000)}, write_ratio: {rnd.Next(0, 11) / 10.0:0.0} }}");
                break;
            case 7:
                sb.AppendLine($"{ind}- {(rnd.Next(2) == 0 ? "read_file" : "write_file")}: {{ path: {(rnd.Next(2) == 0 ? "/data/a" : "/data/b")}, offset: {rnd.Next(0, 4)}MiB, size: {rnd.Next(1, 5)}MiB }}");
                break;
            case 8:
                if (depth == 0 && anon.Count > 0)
                {
                    var (r, _, _) = anon[rnd.Next(anon.Count)];
                    sb.AppendLine($"{ind}- fork:");
                    sb.AppendLine($"{ind}    steps:");
                    sb.AppendLine($"{ind}      - touch: {{ region: {r}, write: true, stride: {Pick(rnd, 4, 8, 16)}KiB }}");
                    sb.AppendLine($"{ind}      - access: {{ region: {r}, pattern: random, count: {rnd.Next(1000, 20000)}, write_ratio: 0.5 }}");
                }
                break;
            case 9:
                if (size <= 8 && live.Any(l => l.Name == region && !l.File))
                    sb.AppendLine($"{ind}- mlock: {{ region: {region} }}");
                break;
            case 10:
                sb.AppendLine($"{ind}- free: {{ region: {region} }}");
                live.RemoveAll(l => l.Name == region);
                break;
            case 12:
                if (rnd.Next(4) > 0) sb.AppendLine($"{ind}- mlock: {{ region: {region} }}");
                else if (rnd.Next(2) == 0) sb.AppendLine($"{ind}- access: {{ address: 0x{rnd.Next(1, 4096) * 4096L:x} }}"); // SIGSEGV: unmapped
                else sb.AppendLine($"{ind}- access: {{ region: {region}, exec: true }}");                           // SIGSEGV: not executable
                break;
            case 11:
                if (depth == 0 && rnd.Next(2) == 0)
                {
                    // A body that allocates must free what it allocated (checked on the second pass).
                    string name = $"loop{s}";
                    sb.AppendLine($"{ind}- repeat:");
                    sb.AppendLine($"{ind}    times: {rnd.Next(2, 4)}");
                    sb.AppendLine($"{ind}    steps:");
                    sb.AppendLine($"{ind}      - alloc: {{ name: {name}, size: {rnd.Next(1, memMiB / 4)}MiB }}");
                    sb.AppendLine($"{ind}      - touch: {{ region: {name}, write: true }}");
                    sb.AppendLine($"{ind}      - free: {{ region: {name} }}");
                }
                else sb.AppendLine($"{ind}- sleep: {rnd.Next(1, 20)}ms");
                break;
        }
    }

    private static int Pick(Random rnd, params int[] xs) => xs[rnd.Next(xs.Length)];

    [Fact]
    public void The_generator_makes_valid_scenarios_of_every_kind()
    {
        // The scenarios above must load (a generator bug would make every run an input error), and over a few
        // seeds they must use every step kind the test means to cover.
        var kinds = new HashSet<string>();
        for (int seed = 0; seed < 200; seed++)
        {
            string yaml = RandomScenario(seed);
            ScenarioLoader.LoadText(yaml, "random.yaml");
            foreach (var k in new[] { "alloc:", "map_file:", "touch:", "access:", "read_file:", "write_file:", "fork:", "mlock:", "free:", "sleep:", "repeat:",
                                      "swap: 0MiB", "swap: 256MiB", "cpus: 2", "transparent_hugepage: always", "cgroups:", "cgroup: top/a", "overcommit_memory: 2",
                                      "page_size: 16KiB", "page_size: 64KiB", "x86_64_la57", "start_after:", "stack:", "- exit", "address: 0x", "exec: true",
                                      "kswapd_cpu: shared" })
                if (yaml.Contains(k)) kinds.Add(k);
        }
        Assert.Equal(27, kinds.Count);
    }
}
