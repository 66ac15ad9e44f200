using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class ScenarioParserTests
{
    /// <summary>The example of the issue, plus the extensions.</summary>
    private const string Example = """
        seed: 7
        title: Example
        description: |
          One paragraph.
        description_zh: |
          一段。
        machine: { memory: 2GiB, page_size: 4KiB, swap: 512MiB, cpus: 2, transparent_hugepage: never,
                   time_slice: 3ms, tlb_entries: 32, kernel_reserved: 64MiB,
                   latency: { access: 80ns, minor_fault: 2us, disk_read: 50us, swap_write: 1ms } }
        vm: { min_free_kbytes: auto, watermark_scale_factor: 100, swappiness: 100, overcommit_memory: 2,
              lowmem_reserve_ratio: [256, 32, 0], fault_around_bytes: 4096, read_ahead_kb: 256 }
        files:
          - { path: /data/table.db, size: 256MiB }
        processes:
          - name: app
            oom_score_adj: -500
            start_at: 0ms
            stack: 132KiB
            steps:
              - alloc: { name: heap, size: 64MiB, prot: rw }
              - touch: { region: heap, write: true }
              - touch: { region: heap, stride: 8KiB, offset: 4KiB, length: 1MiB }
              - access: { region: heap, pattern: random, count: 100000, write_ratio: 0.3 }
              - access: { region: heap, pattern: zipf, zipf_alpha: 1.2, count: 10 }
              - access: { address: 0x7f0000001000, write: false }
              - map_file: { name: db, path: /data/table.db }
              - read_file: { path: /data/table.db, offset: 0, size: 16MiB }
              - write_file: { path: /data/table.db, offset: 4KiB, size: 1KiB }
              - mlock: db
              - free: { region: heap }
              - sleep: 5ms
              - repeat: { times: 3, steps: [ { alloc: { name: tmp, size: 1MiB } }, { free: tmp } ] }
              - fork: { name: child }
              - exit: {}
          - name: a-very-long-process-name
            pid: 1000
            steps:
              - exit
          - name: third
            steps: [ fork ]
        """;

    [Fact]
    public void ParsesEveryKey()
    {
        var s = ScenarioLoader.LoadText(Example, "ex.yaml");
        Assert.Equal("ex.yaml", s.SourceName);
        Assert.Equal(7UL, s.Seed);
        Assert.Equal("Example", s.Title);
        Assert.Equal("One paragraph.", s.Description);
        Assert.Equal("一段。", s.DescriptionZh);

        var m = s.Machine;
        Assert.Equal(2L << 30, m.MemoryBytes);
        Assert.Equal(4096, m.PageSize);
        Assert.Equal(512L << 20, m.SwapBytes);
        Assert.Equal(64L << 20, m.KernelReservedBytes);
        Assert.Equal(2, m.Cpus);
        Assert.Equal("never", m.TransparentHugepage);
        Assert.Equal(3_000_000, m.TimeSliceNs);
        Assert.Equal(32, m.TlbEntries);
        Assert.Equal(80, m.Latency.AccessNs);
        Assert.Equal(100, m.Latency.TlbMissPerLevelNs);
        Assert.Equal(2_000, m.Latency.MinorFaultNs);
        Assert.Equal(50_000, m.Latency.MajorFaultNs);
        Assert.Equal(1_000_000, m.Latency.SwapWriteNs);
        Assert.Equal(7, m.Line);

        var vm = s.Vm;
        Assert.Null(vm.MinFreeKbytes);
        Assert.Equal(100, vm.WatermarkScaleFactor);
        Assert.Equal(100, vm.Swappiness);
        Assert.Equal(2, vm.OvercommitMemory);
        Assert.Equal([256, 32, 0], vm.LowmemReserveRatio);
        Assert.Equal(4096, vm.FaultAroundBytes);
        Assert.Equal(256, vm.ReadAheadKb);
        Assert.Equal(60 + 0, new VmSpec().Swappiness);

        var file = Assert.Single(s.Files);
        Assert.Equal("/data/table.db", file.Path);
        Assert.Equal(256L << 20, file.SizeBytes);
        Assert.Equal(13, file.Line);

        Assert.Equal(3, s.Processes.Count);
        var app = s.Processes[0];
        Assert.Equal("app", app.Name);
        Assert.Equal(1001, app.Pid); // 1000 is taken explicitly by the second process
        Assert.Equal(-500, app.OomScoreAdj);
        Assert.Equal(132 * 1024, app.StackBytes);
        Assert.Equal(15, app.Line);
        Assert.Equal(1000, s.Processes[1].Pid);
        Assert.Equal("a-very-long-pro", s.Processes[1].Comm);
        Assert.Equal(1002, s.Processes[2].Pid);
        Assert.IsType<ForkStep>(Assert.Single(s.Processes[2].Steps));

        var steps = app.Steps;
        var alloc = Assert.IsType<AllocStep>(steps[0]);
        Assert.Equal(("heap", 64L << 20, Prot.ReadWrite, 20), (alloc.Name, alloc.SizeBytes, alloc.Prot, alloc.Line));
        var touch = Assert.IsType<TouchStep>(steps[1]);
        Assert.Equal(("heap", true, 4096L, 0L, (long?)null), (touch.Region, touch.Write, touch.StrideBytes, touch.OffsetBytes, touch.LengthBytes));
        var strided = Assert.IsType<TouchStep>(steps[2]);
        Assert.Equal((8192L, 4096L, (long?)(1 << 20)), (strided.StrideBytes, strided.OffsetBytes, strided.LengthBytes));
        var random = Assert.IsType<AccessStep>(steps[3]);
        Assert.Equal((AccessPattern.Random, 100000L, 0.3, false), (random.Pattern, random.Count, random.WriteRatio, random.Write));
        var zipf = Assert.IsType<AccessStep>(steps[4]);
        Assert.Equal((AccessPattern.Zipf, 1.2), (zipf.Pattern, zipf.ZipfAlpha));
        var exact = Assert.IsType<AccessStep>(steps[5]);
        Assert.Equal((0x7f0000001000UL, (string?)null, 1L, 0.0), (exact.Address!.Value, exact.Region, exact.Count, exact.WriteRatio));
        var map = Assert.IsType<MapFileStep>(steps[6]);
        Assert.Equal(("db", "/data/table.db", Prot.Read, false), (map.Name, map.Path, map.Prot, map.Shared));
        var read = Assert.IsType<ReadFileStep>(steps[7]);
        Assert.Equal(16L << 20, read.SizeBytes);
        var write = Assert.IsType<WriteFileStep>(steps[8]);
        Assert.Equal((4096L, 1024L), (write.OffsetBytes, write.SizeBytes));
        Assert.Equal("db", Assert.IsType<MlockStep>(steps[9]).Region);
        Assert.Equal("heap", Assert.IsType<FreeStep>(steps[10]).Region);
        Assert.Equal(5_000_000, Assert.IsType<SleepStep>(steps[11]).DurationNs);
        var repeat = Assert.IsType<RepeatStep>(steps[12]);
        Assert.Equal(3, repeat.Times);
        Assert.Equal(2, repeat.Steps.Count);
        Assert.Equal(32, repeat.Line);
        Assert.Equal("child", Assert.IsType<ForkStep>(steps[13]).Name);
        Assert.IsType<ExitStep>(steps[14]);
        Assert.Equal(34, steps[14].Line);
    }

    [Fact]
    public void DefaultsFollowLinux()
    {
        var s = ScenarioLoader.LoadText("processes: [ { name: a, steps: [ exit ] } ]", "t.yaml");
        Assert.Equal(42UL, s.Seed);
        Assert.Equal(1L << 30, s.Machine.MemoryBytes);
        Assert.Equal(4096, s.Machine.PageSize);
        Assert.Equal(0, s.Machine.SwapBytes);
        Assert.Null(s.Machine.KernelReservedBytes);
        Assert.Equal("madvise", s.Machine.TransparentHugepage);
        Assert.Equal(4_000_000, s.Machine.TimeSliceNs);
        Assert.Equal(64, s.Machine.TlbEntries);
        Assert.Equal(100_000, s.Machine.Latency.MajorFaultNs);
        Assert.Null(s.Vm.MinFreeKbytes);
        Assert.Equal(10, s.Vm.WatermarkScaleFactor);
        Assert.Equal([256, 256, 32, 0], s.Vm.LowmemReserveRatio);
        Assert.Equal(60, s.Vm.Swappiness);
        Assert.Equal(50, s.Vm.OvercommitRatio);
        Assert.Equal(20, s.Vm.DirtyRatio);
        Assert.Equal(10, s.Vm.DirtyBackgroundRatio);
        Assert.Equal(3, s.Vm.PageCluster);
        Assert.Equal(65536, s.Vm.FaultAroundBytes);
        Assert.Equal(128, s.Vm.ReadAheadKb);
        Assert.Equal(1000, s.Processes[0].Pid);
    }

    [Fact]
    public void TouchStrideDefaultsToThePageSize()
    {
        var s = ScenarioLoader.LoadText("""
            machine: { page_size: 16KiB, memory: 64MiB }
            processes:
              - name: a
                steps:
                  - alloc: { name: h, size: 1MiB }
                  - touch: { region: h }
            """, "t.yaml");
        Assert.Equal(16384, ((TouchStep)s.Processes[0].Steps[1]).StrideBytes);
    }

    [Fact]
    public void LoadFileUsesTheFileNameAndReportsMissingFiles()
    {
        string dir = Path.Combine(TestTemp.Dir, "mmsim-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "mine.yaml");
            File.WriteAllText(path, "processes: [ { name: a, steps: [ exit ] } ]");
            Assert.Equal("mine", ScenarioLoader.LoadFile(path).Name);

            string missing = Path.Combine(dir, "nope.yaml");
            var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadFile(missing));
            Assert.Equal(missing, ex.SourceName);
            Assert.Contains("no such file", ex.Message);
            Assert.Contains(missing, ex.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
