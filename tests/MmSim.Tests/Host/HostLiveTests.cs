using MmSim.Host;
using MmSim.Oom;
using Xunit.Abstractions;

namespace MmSim.Tests.Host;

/// <summary>Our oom_score against the running kernel's /proc/PID/oom_score on this machine.</summary>
public class HostLiveTests(ITestOutputHelper output)
{
    [Fact]
    public void Our_oom_score_equals_the_kernels_for_every_stable_process()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/meminfo")) return;
        var reader = new HostProcReader("/proc");
        int compared = 0, changed = 0, gone = 0, approximate = 0;
        var uname = new KernelRelease(File.ReadAllText("/proc/sys/kernel/osrelease"));
        var mismatches = new List<string>();
        foreach (int pid in reader.Pids())
        {
            // status, then the kernel's score, then status again: compare only if nothing moved in between.
            long totalPages = reader.ReadMeminfo().TotalPages(reader.PageSize);
            var before = reader.ReadStatus(pid);
            int? adjBefore = reader.ReadOomScoreAdj(pid);
            long? kernel = reader.ReadKernelOomScore(pid);
            var after = reader.ReadStatus(pid);
            int? adjAfter = reader.ReadOomScoreAdj(pid);
            long totalAfter = reader.ReadMeminfo().TotalPages(reader.PageSize);
            if (before is null || after is null || kernel is null || adjBefore is null) { gone++; continue; }
            if (before != after || adjBefore != adjAfter || totalPages != totalAfter) { changed++; continue; }
            var ours = HostProcess.Compute(pid, before.Name, before, adjBefore.Value, totalPages, reader.PageSize);
            compared++;
            // A busy process (this test host, with other tests running beside it) can change and change back
            // between the reads; a real disagreement persists, so look again a few times before calling it one.
            for (int retry = 0; retry < 5 && ours.OomScore != kernel; retry++)
            {
                var s1 = reader.ReadStatus(pid);
                kernel = reader.ReadKernelOomScore(pid);
                var s2 = reader.ReadStatus(pid);
                if (s1 is null || s2 is null || kernel is null) break;
                if (s1 != s2) continue;
                ours = HostProcess.Compute(pid, s1.Name, s1, adjBefore.Value, totalPages, reader.PageSize);
            }
            if (kernel is null || ours.OomScore == kernel) continue;
            // Since 6.16 /proc/PID/status sums the RSS counters exactly (task_mem: get_mm_counter_sum) while
            // oom_badness reads them as get_mm_rss does (percpu_counter_read_positive: the central count, without
            // the CPUs' pending deltas, each under percpu_counter_batch = max(32, 2 * CPUs)). For a process whose
            // threads fault on several CPUs the kernel's badness can be off by that much per counter (anon, file,
            // shmem, swap), so its oom_score is compared with the scores of every badness within that bound.
            if (ours.Badness != long.MinValue && uname.KernelAtLeast(6, 16))
            {
                long slack = 4L * Math.Max(32, 2 * Environment.ProcessorCount) * Environment.ProcessorCount;
                long lo = OomBadness.OomScore(Math.Max(0, ours.Badness - slack), totalPages);
                long hi = OomBadness.OomScore(ours.Badness + slack, totalPages);
                if (kernel >= lo && kernel <= hi) { approximate++; continue; }
            }
            mismatches.Add($"pid {pid} ({before.Name}): ours {ours.OomScore} (badness {ours.Badness}), kernel {kernel}");
        }
        output.WriteLine($"compared {compared} processes with the kernel; {changed} changed between reads, {gone} gone or kernel threads; " +
                         $"{approximate} within the kernel's per-CPU counter error");
        Assert.Empty(mismatches);
        Assert.True(compared >= 5, $"only {compared} processes compared");
    }
}

/// <summary>A kernel release string (/proc/sys/kernel/osrelease), e.g. "6.18.44-fc-v782".</summary>
internal readonly record struct KernelRelease(string Text)
{
    public bool KernelAtLeast(int major, int minor)
    {
        var parts = Text.Trim().Split('.', '-');
        if (parts.Length < 2 || !int.TryParse(parts[0], out int ma) || !int.TryParse(parts[1], out int mi)) return false;
        return ma > major || (ma == major && mi >= minor);
    }
}
