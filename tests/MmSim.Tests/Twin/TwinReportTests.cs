using MmSim.Twin;
using MmSim.Workloads;

namespace MmSim.Tests.Twin;

/// <summary>The twin's result with cgroups, without a VM: a result in the executor's protocol (cgroup, cgfile,
/// cgkv, cgline and pressure lines, the kernel's memcg OOM lines as the VM logged them for container-oom) becomes
/// the report's cgroups, pressure, pods and events.</summary>
public class TwinReportTests
{
    private const string Result = """
        mmsim-twin 1
        kernel 6.1.0-56-amd64
        t0_ns 1000
        end_ns 3023549836
        meminfo MemTotal 981712
        vmstat oom_kill 1
        vmstat0 oom_kill 0
        cgroup 0 kubepods
        cgroup 1 kubepods/burstable
        cgroup 2 kubepods/burstable/podweb
        cgroup 3 kubepods/burstable/podshop
        cgroup 4 kubepods/burstable/podweb/nginx
        cgroup 5 kubepods/burstable/podshop/api
        cgfile 3 memory.max 134217728
        cgfile 3 memory.high max
        cgfile 3 memory.current 8192
        cgfile 3 memory.swap.current 0
        cgkv 3 memory.events max 35
        cgkv 3 memory.events oom 1
        cgkv 3 memory.events oom_kill 1
        cgkv 3 memory.events oom_group_kill 0
        cgkv 3 memory.stat percpu 5352
        cgkv 3 memory.stat kernel 8192
        cgline 3 memory.pressure some avg10=0.00 avg60=0.00 avg300=0.00 total=6995
        cgline 3 memory.pressure full avg10=0.25 avg60=0.00 avg300=0.00 total=6990
        cgfile 5 memory.current 0
        cgkv 5 memory.events oom_kill 1
        pressure some avg10=0.00 avg60=0.00 avg300=0.00 total=6976
        pressure full avg10=0.00 avg60=0.00 avg300=0.00 total=5500
        proc 0 pid 95 state running code 0 signal 0 minflt 16384 majflt 0 start_ns 4115174 end_ns 3023549836 comm nginx
        status 0 VmRSS 67204
        proc 1 pid 96 state killed code 0 signal 9 minflt 32549 majflt 0 start_ns 101060718 end_ns 1482583733 comm api
        kmsg 1424625000 4 api invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=934
        kmsg 1424700000 6 memory: usage 131072kB, limit 131072kB, failcnt 18
        kmsg 1428553000 6 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods/burstable/podshop,task_memcg=/kubepods/burstable/podshop/api,task=api,pid=96,uid=0
        kmsg 1429803000 3 Memory cgroup out of memory: Killed process 96 (api) total-vm:209036kB, anon-rss:131064kB, file-rss:8kB, shmem-rss:812kB, UID:0 pgtables:300kB oom_score_adj:934
        end
        """;

    [Fact]
    public void A_result_with_cgroups_becomes_the_simulators_report_shape()
    {
        var report = TwinReport.Build(BuiltinScenarios.Load("container-oom"), TwinResult.Parse(Result));
        Assert.Equal(["kubepods", "kubepods/burstable", "kubepods/burstable/podweb", "kubepods/burstable/podshop",
            "kubepods/burstable/podweb/nginx", "kubepods/burstable/podshop/api"], report.Cgroups!.Select(c => c.Path));
        var pod = report.Cgroups!.Single(c => c.Path == "kubepods/burstable/podshop");
        Assert.Equal(134217728L, pod.Files["memory.max"]);
        Assert.Equal("max", pod.Files["memory.high"]);
        Assert.Equal(8192L, pod.Files["memory.current"]);
        Assert.Null(pod.Files["memory.peak"]); // not in this result: left out of the JSON
        Assert.Equal(35L, pod.Events["max"]);
        Assert.Equal(1L, pod.Events["oom"]);
        Assert.Equal(5352L, pod.Stat["percpu"]);
        Assert.Equal(6995L, pod.Pressure.Some["total"]);
        Assert.Equal(0.25m, pod.Pressure.Full["avg10"]);
        Assert.Equal(["some avg10=0.00 avg60=0.00 avg300=0.00 total=6995", "full avg10=0.25 avg60=0.00 avg300=0.00 total=6990"], pod.Pressure.Text);
        Assert.Equal(5500L, report.Pressure!.Full["total"]);
        Assert.DoesNotContain("\"memory.peak\"", report.ToJson().Split("\"kubepods/burstable/podshop\"")[1].Split("\"path\"")[0]);

        var api = report.Processes.Single(p => p.Name == "api");
        Assert.Equal("killed", api.State);
        Assert.Equal("killed by the memory cgroup OOM killer (container OOM kill)", api.Reason);
        Assert.Equal(131064 + 8 + 812, api.VmRSS);
        // Burstable: 1000 - 1000 * 64 MiB / (981712 kB), as the kubelet computes it from MemTotal.
        Assert.Equal((int)(1000 - 1000 * (64L << 20) / (981712L * 1024)), api.OomScoreAdj);
        Assert.Equal(934, api.OomScoreAdj);
        var shop = report.Pods!.Single(p => p.Name == "shop");
        Assert.Equal("Burstable", shop.QosClass);
        Assert.Equal("container", shop.Containers.Single().OomKill);
        Assert.Null(report.Pods!.Single(p => p.Name == "web").Containers.Single().OomKill);
        Assert.Contains(report.Events, e => e.Type == "oom_kill" && e.Pid == 96 && e.Message.StartsWith("Memory cgroup out of memory: Killed process 96 (api)"));
        Assert.Contains(report.Events, e => e.Type == "oom" && e.Message == "memory: usage 131072kB, limit 131072kB, failcnt 18");
    }
}

/// <summary>The VM's speed: the executor's calibration line, and the simulated machine given that speed.</summary>
public class TwinCalibrationTests
{
    [Fact]
    public void The_calibration_line_becomes_the_reports_kernel_calibration()
    {
        var r = TwinResult.Parse("mmsim-twin 1\nkernel 6.1.0-56-amd64\nend_ns 5\n" +
            "calibration fault_ns 15554 access_ns 93 swap_write_ns 345028 disk_read_ns 119509\nend\n");
        Assert.Equal(new TwinCalibration(15554, 93, 345028, 119509), r.Calibration);
        var report = TwinReport.Build(BuiltinScenarios.Load("lazy-allocation"), r);
        Assert.Equal(r.Calibration, report.Kernel.Calibration);
        Assert.Contains("\"calibration\":{\"fault_ns\":15554,\"access_ns\":93,\"swap_write_ns\":345028,\"disk_read_ns\":119509}",
            report.ToJson().Replace(" ", "").Replace("\n", ""));
        Assert.Null(TwinResult.Parse("mmsim-twin 1\nend\n").Calibration); // an older executor: no line
    }

    /// <summary>A VM that touches a new page in 15 µs is 10 times slower than the default machine (1.5 µs: access
    /// 100 ns, a 4-level walk of 100 ns a level, the fault 1 µs), so the kernel's CPU costs are 10 times the
    /// defaults; the access and the fault are the measured ones; the disk requests cost what the VM's took.</summary>
    [Fact]
    public void The_simulated_machine_gets_the_vms_speed()
    {
        var s = TwinCompare.MatchSpeed(BuiltinScenarios.Load("swap-before-oom"), new TwinCalibration(15_000, 80, 345_000, 120_000));
        var l = s.Machine.Latency;
        Assert.Equal((80L, 0L, 14_920L), (l.AccessNs, l.TlbMissPerLevelNs, l.MinorFaultNs));
        Assert.Equal((5_000L, 1_000L, 1_000L, 5_000L), (l.SyscallNs, l.ReclaimScanNs, l.ReclaimFreeNs, l.SwapSubmitNs));
        Assert.Equal((345_000L, 345_000L, 120_000L, 120_000L), (l.SwapWriteNs, l.DiskWriteNs, l.SwapReadNs, l.MajorFaultNs));
        Assert.False(new TwinCalibration(15_000, 80, 0, 120_000).Complete);
    }
}
