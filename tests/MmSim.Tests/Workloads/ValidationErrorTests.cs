using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

/// <summary>Every error names the file and the exact line, and says what was expected.</summary>
public class ValidationErrorTests
{
    private static InputException Fails(string yaml)
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.LoadText(yaml, "bad.yaml"));
        Assert.Equal("bad.yaml", ex.SourceName);
        return ex;
    }

    private static void AssertError(string yaml, int line, string message)
    {
        var ex = Fails(yaml);
        Assert.Equal(line, ex.Line);
        Assert.Contains(message, ex.Message);
    }

    public static TheoryData<string, int, string> Cases => new()
    {
        // YAML syntax
        { "processes:\n  - name: a\n    steps: [ exit\n", 4, "YAML syntax error" },
        { "seed: 1\nseed: 2\nprocesses: []\n", 2, "YAML syntax error" },
        // top level
        { "procesess: []\n", 1, "unknown top-level key 'procesess' (did you mean 'processes'?); expected one of: seed, name, title, description, description_zh, machine, vm, files, processes" },
        { "seed: 1\n", 1, "the scenario needs 'processes'" },
        { "processes: []\n", 1, "processes must be a list of at least one process" },
        { "- a\n- b\n", 1, "the scenario must be a mapping" },
        { "seed: -3\nprocesses: [ { name: a, steps: [ exit ] } ]\n", 1, "invalid seed '-3'" },
        // machine
        { "machine:\n  memroy: 1GiB\nprocesses: []\n", 2, "unknown key 'memroy' in machine (did you mean 'memory'?); expected one of: memory, page_size, swap" },
        { "machine:\n  memory: 12XB\n", 2, "invalid size '12XB'; expected a number with a unit B, KiB, MiB, GiB or TiB" },
        { "machine:\n  memory: 0\n", 2, "machine.memory must be positive, got 0" },
        { "machine:\n  memory: -1GiB\n", 2, "machine.memory must be positive, got -1GiB" },
        { "machine:\n  memory: 1000\n", 2, "machine.memory must be a multiple of the page size (4KiB)" },
        { "machine:\n  page_size: 12KiB\n", 2, "machine.page_size must be a power of two between 4KiB and 64KiB, got 12KiB" },
        { "machine:\n  page_size: 2KiB\n", 2, "machine.page_size must be a power of two between 4KiB and 64KiB, got 2KiB" },
        { "machine:\n  page_size: 128KiB\n", 2, "between 4KiB and 64KiB, got 128KiB" },
        { "machine:\n  cpus: 0\n", 2, "machine.cpus must be between 1 and 1024, got 0" },
        { "machine:\n  transparent_hugepage: sometimes\n", 2, "invalid machine.transparent_hugepage 'sometimes'; expected one of: always, madvise, never" },
        { "machine:\n  time_slice: 4\n", 2, "invalid time '4'; expected a number with a unit ns, us, ms or s" },
        { "machine:\n  kernel_reserved: 2GiB\n", 2, "machine.kernel_reserved (2GiB) must be less than machine.memory (1GiB)" },
        { "machine:\n  latency:\n    minor: 1us\n", 3, "unknown key 'minor' in machine.latency" },
        { "machine:\n  latency: { major_fault: 1ms, disk_read: 1ms }\n", 2, "another name for major_fault" },
        // vm
        { "vm:\n  swappiness: 300\n", 2, "vm.swappiness must be between 0 and 200, got 300" },
        { "vm:\n  swapiness: 30\n", 2, "unknown key 'swapiness' in vm (did you mean 'swappiness'?); expected one of: min_free_kbytes" },
        { "vm:\n  watermark_scale_factor: 0\n", 2, "vm.watermark_scale_factor must be between 1 and 3000, got 0" },
        { "vm:\n  overcommit_memory: 3\n", 2, "vm.overcommit_memory must be between 0 and 2, got 3" },
        { "vm:\n  min_free_kbytes: lots\n", 2, "vm.min_free_kbytes must be a whole number, got 'lots'" },
        { "vm:\n  min_free_kbytes: 2000000\n", 2, "vm.min_free_kbytes must be 'auto' or less than machine.memory (1048576 kB)" },
        { "vm:\n  fault_around_bytes: 5000\n", 2, "vm.fault_around_bytes must be a power of two between the page size (4096) and 2097152, got 5000" },
        { "vm:\n  dirty_ratio: 101\n", 2, "vm.dirty_ratio must be between 0 and 100, got 101" },
        { "vm:\n  lowmem_reserve_ratio: 32\n", 2, "vm.lowmem_reserve_ratio must be a list" },
        // files
        { "files:\n  - { path: data.db, size: 1MiB }\nprocesses: [ { name: a, steps: [ exit ] } ]\n", 2, "file path 'data.db' must be absolute" },
        { "files:\n  - { path: /a, size: 1MiB }\n  - { path: /a, size: 2MiB }\nprocesses: [ { name: a, steps: [ exit ] } ]\n", 3, "file '/a' is declared twice (first at line 2)" },
        { "files:\n  - { path: /a }\n", 2, "files needs 'size'" },
        { "files:\n  - { path: /a, size: 1MiB, mode: rw }\n", 2, "unknown key 'mode' in files; expected one of: path, size" },
        // processes
        { "processes:\n  - name: a\n    pid: 7\n    steps: [ exit ]\n  - name: b\n    pid: 7\n    steps: [ exit ]\n", 5, "pid 7 of process 'b' is already used by process 'a' (line 2)" },
        { "processes:\n  - name: a\n    oom_score_adj: 2000\n    steps: [ exit ]\n", 3, "process.oom_score_adj must be between -1000 and 1000, got 2000" },
        { "processes:\n  - name: a\n    stpes: [ exit ]\n", 3, "unknown key 'stpes' in process (did you mean 'steps'?); expected one of: name, pid, oom_score_adj, start_at, start_after, stack, steps, cgroup" },
        { "processes:\n  - steps: [ exit ]\n", 2, "process needs 'name'" },
        { "processes:\n  - name: a\n", 2, "process needs 'steps'" },
        { "processes:\n  - name: a\n    steps: exit\n", 3, "steps must be a list of steps" },
        // steps
        { "processes:\n  - name: a\n    steps:\n      - tuch: { region: heap }\n", 4, "unknown step 'tuch' (did you mean 'touch'?); expected one of: alloc, touch, access, map_file, read_file, write_file, free, sleep, repeat, exit, mlock, fork" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n        touch: { region: h }\n", 4, "a step has exactly one key" },
        { "processes:\n  - name: a\n    steps:\n      - alloc\n", 4, "step 'alloc' needs parameters" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h }\n", 4, "alloc needs 'size'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 0 }\n", 4, "alloc.size must be greater than 0" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB, prot: rwz }\n", 4, "invalid alloc.prot 'rwz'; expected r, rw, rx or rwx (or none)" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB, populate: true }\n", 4, "unknown key 'populate' in alloc; expected one of: name, size, prot" },
        { "processes:\n  - name: a\n    steps:\n      - sleep: 5\n", 4, "invalid time '5'" },
        { "processes:\n  - name: a\n    steps:\n      - repeat: { times: -1, steps: [ exit ] }\n", 4, "repeat.times must be at least 0, got -1" },
        { "processes:\n  - name: a\n    steps:\n      - repeat: { times: 2 }\n", 4, "repeat needs 'steps'" },
        { "processes:\n  - name: a\n    steps:\n      - exit: { code: 300 }\n", 4, "exit.code must be between 0 and 255, got 300" },
        // access
        { "processes:\n  - name: a\n    steps:\n      - access: { count: 3 }\n", 4, "access needs either 'region' (a region name) or 'address'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, address: 0x1000 }\n", 5, "access takes either 'region' or 'address', not both" },
        { "processes:\n  - name: a\n    steps:\n      - access: { address: 0xZZ }\n", 4, "invalid address '0xZZ'; expected a hexadecimal (0x7f0000001000) or decimal number" },
        { "processes:\n  - name: a\n    steps:\n      - access: { address: 0x10000000000000000 }\n", 4, "invalid address" },
        { "processes:\n  - name: a\n    steps:\n      - access: { address: 0x1000, pattern: random }\n", 4, "access.pattern applies to a region" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, count: -5 }\n", 5, "access.count must be at least 0, got -5" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, write_ratio: 1.5 }\n", 5, "access.write_ratio must be between 0 and 1, got 1.5" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, write_ratio: -0.1 }\n", 5, "access.write_ratio must be between 0 and 1, got -0.1" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, pattern: zigzag }\n", 5, "invalid access.pattern 'zigzag'; expected one of: sequential, random, zipf" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, zipf_alpha: 2 }\n", 5, "access.zipf_alpha applies only to pattern: zipf" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, pattern: zipf, zipf_alpha: 0 }\n", 5, "access.zipf_alpha must be positive" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, write: maybe }\n", 5, "access.write must be true or false, got 'maybe'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - access: { region: h, write: true, exec: true }\n", 5, "cannot write" },
        // regions
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: heap, size: 1MiB }\n      - touch: { region: hepa }\n", 5, "unknown region 'hepa'; create it first with alloc or map_file (regions alive here in process 'a': heap)" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: heap, size: 1MiB }\n      - free: heap\n      - touch: { region: heap }\n", 6, "region 'heap' was freed at line 5" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: heap, size: 1MiB }\n  - name: b\n    steps:\n      - free: { region: heap }\n", 7, "unknown region 'heap'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: heap, size: 1MiB }\n      - alloc: { name: heap, size: 2MiB }\n", 5, "region 'heap' is already defined (line 4) and not freed" },
        { "processes:\n  - name: a\n    steps:\n      - mlock: { region: nothing }\n", 4, "unknown region 'nothing'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - touch: { region: h, offset: 512KiB, length: 1MiB }\n", 5, "outside region 'h'" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - touch: { region: h, stride: 0 }\n", 5, "touch.stride must be greater than 0" },
        // regions through repeat bodies
        { "processes:\n  - name: a\n    steps:\n      - repeat:\n          times: 2\n          steps:\n            - alloc: { name: tmp, size: 1MiB }\n", 7, "region 'tmp' is already defined (line 7) and not freed; free it first or choose another name (in the second pass of the repeat at line 4)" },
        { "processes:\n  - name: a\n    steps:\n      - alloc: { name: h, size: 1MiB }\n      - repeat:\n          times: 3\n          steps:\n            - touch: { region: h }\n            - free: h\n", 8, "region 'h' was freed at line 9" },
        { "processes:\n  - name: a\n    steps:\n      - repeat: { times: 1, steps: [ { alloc: { name: t, size: 4KiB } }, { free: t } ] }\n      - touch: { region: t }\n", 5, "region 't' was freed at line 4" },
        { "processes:\n  - name: a\n    steps:\n      - repeat: { times: 0, steps: [ { touch: { region: nope } } ] }\n", 4, "unknown region 'nope'" },
        // files referenced by steps
        { "files: [ { path: /data/a, size: 1MiB } ]\nprocesses:\n  - name: a\n    steps:\n      - map_file: { name: m, path: /data/b }\n", 5, "file '/data/b' is not declared in 'files' (declared: /data/a)" },
        { "processes:\n  - name: a\n    steps:\n      - read_file: { path: /x, size: 4KiB }\n", 4, "file '/x' is not declared in 'files' (declared: none)" },
        { "files: [ { path: /x, size: 1MiB } ]\nprocesses:\n  - name: a\n    steps:\n      - write_file: { path: /y, size: 4KiB }\n", 5, "file '/y' is not declared" },
        { "files: [ { path: /x, size: 1MiB } ]\nprocesses:\n  - name: a\n    steps:\n      - map_file: { name: m, path: /x, offset: 100 }\n", 5, "map_file.offset must be a multiple of the page size (4096), as mmap requires; got 100" },
        { "files: [ { path: /x, size: 1MiB } ]\nprocesses:\n  - name: a\n    steps:\n      - map_file: { name: m, path: /x, offset: 1MiB }\n", 5, "give an explicit length" },
        { "files: [ { path: /x, size: 1MiB } ]\nprocesses:\n  - name: a\n    steps:\n      - read_file: { path: /x }\n", 5, "read_file needs 'size'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsTheLineAndWhatWasExpected(string yaml, int line, string message) =>
        AssertError(yaml, line, message);

    [Fact]
    public void SyntaxErrorsKeepTheColumnAndDropYamlDotNetsPrefix()
    {
        var ex = Fails("processes:\n  - name: a\n    steps: [ exit\n");
        Assert.True(ex.Column > 0);
        Assert.DoesNotContain("Idx:", ex.Message);
        Assert.StartsWith("bad.yaml:4:", ex.Format());
    }

    [Fact]
    public void ValueErrorsPointAtTheValue()
    {
        var ex = Fails("vm:\n  swappiness: 300\n");
        Assert.Equal("bad.yaml:2:15: vm.swappiness must be between 0 and 200, got 300", ex.Format());
    }

    [Fact]
    public void UnknownStepPointsAtTheKey()
    {
        var ex = Fails("processes:\n  - name: a\n    steps:\n      - tuch: { region: heap }\n");
        Assert.Equal(9, ex.Column);
    }

    [Fact]
    public void EmptyTextIsAnError() =>
        Assert.Contains("the scenario is empty", Fails("# nothing\n").Message);

    [Fact]
    public void RepeatedAllocWithFreeIsFine()
    {
        var s = ScenarioLoader.LoadText("""
            processes:
              - name: a
                steps:
                  - alloc: { name: keep, size: 1MiB }
                  - repeat:
                      times: 5
                      steps:
                        - alloc: { name: tmp, size: 1MiB }
                        - touch: { region: tmp, write: true }
                        - touch: { region: keep }
                        - free: tmp
                  - free: keep
                  - alloc: { name: keep, size: 2MiB }
            """, "ok.yaml");
        Assert.Equal(4, s.Processes[0].Steps.Count);
    }
}
