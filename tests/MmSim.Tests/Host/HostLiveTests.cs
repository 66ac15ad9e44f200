using MmSim.Host;
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
        int compared = 0, changed = 0, gone = 0;
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
            if (kernel is not null && ours.OomScore != kernel)
                mismatches.Add($"pid {pid} ({before.Name}): ours {ours.OomScore} (badness {ours.Badness}), kernel {kernel}");
        }
        output.WriteLine($"compared {compared} processes with the kernel; {changed} changed between reads, {gone} gone or kernel threads");
        Assert.Empty(mismatches);
        Assert.True(compared >= 5, $"only {compared} processes compared");
    }
}
