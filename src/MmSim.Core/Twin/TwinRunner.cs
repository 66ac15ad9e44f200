using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MmSim.Twin;

/// <summary>What the executor reported (protocol "mmsim-twin 1", see docs/twin.md).</summary>
public sealed class TwinResult
{
    public string Kernel { get; set; } = "";
    public long EndNs { get; set; }
    public OrderedDictionary<string, long> Meminfo { get; } = new();
    public OrderedDictionary<string, long> Vmstat { get; } = new();
    /// <summary>/proc/vmstat when the scenario started (for the event counters' deltas).</summary>
    public OrderedDictionary<string, long> Vmstat0 { get; } = new();
    /// <summary>/proc/meminfo when the scenario started: what the kernel itself holds before any scenario process.</summary>
    public OrderedDictionary<string, long> Meminfo0 { get; } = new();
    /// <summary>Major faults of the twin's own processes (the harness, PID 1) during the run.</summary>
    public long HarnessMajflt { get; set; }
    /// <summary>What the VM's CPU and disk cost, measured by the executor before the scenario (null from an
    /// executor without the line).</summary>
    public TwinCalibration? Calibration { get; set; }
    public List<TwinProcess> Processes { get; } = new();
    public List<(long TimeNs, int Level, string Text)> Kmsg { get; } = new();
    /// <summary>The scenario's cgroups at the end of the run, in creation order (parents first).</summary>
    public List<TwinCgroup> Cgroups { get; } = new();
    /// <summary>/proc/pressure/memory at the end (only with cgroups).</summary>
    public List<string> Pressure { get; } = new();

    /// <summary>One cgroup's memory files as the VM's kernel printed them.</summary>
    public sealed class TwinCgroup
    {
        public int Index { get; set; }
        public string Path { get; set; } = "";
        /// <summary>Files of one value (memory.max, memory.current...): the text, a number or "max".</summary>
        public OrderedDictionary<string, string> Files { get; } = new();
        /// <summary>Files of "key value" lines (memory.events, memory.events.local, memory.stat, memory.swap.events).</summary>
        public Dictionary<string, OrderedDictionary<string, long>> KeyValues { get; } = new();
        public List<string> PressureLines { get; } = new();

        public OrderedDictionary<string, long> Kv(string file) =>
            KeyValues.TryGetValue(file, out var d) ? d : KeyValues[file] = new OrderedDictionary<string, long>();
    }
    /// <summary>Wall time of the VM, boot to power-off.</summary>
    public TimeSpan Wall { get; set; }
    public bool Kvm { get; set; }
    public string ConsoleLog { get; set; } = "";

    public sealed class TwinProcess
    {
        public int Index { get; set; }
        public int Pid { get; set; }
        public string State { get; set; } = "";
        public int Code { get; set; }
        public int Signal { get; set; }
        public long MinFlt { get; set; }
        public long MajFlt { get; set; }
        public long StartNs { get; set; }
        public long EndNs { get; set; }
        /// <summary>The command name (for a fork step's child, the name it had when it died).</summary>
        public string Comm { get; set; } = "";
        public Dictionary<string, long> Status { get; } = new();
    }

    public const string Magic = "mmsim-twin 1";

    public static TwinResult Parse(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != Magic)
            throw new TwinException($"the VM's result does not start with '{Magic}'");
        var r = new TwinResult();
        bool ended = false;
        var byIndex = new Dictionary<int, TwinProcess>();
        foreach (var raw in lines.Skip(1))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            int sp = line.IndexOf(' ');
            string tag = sp < 0 ? line : line[..sp];
            string rest = sp < 0 ? "" : line[(sp + 1)..];
            var f = rest.Split(' ');
            switch (tag)
            {
                case "kernel": r.Kernel = rest; break;
                case "end_ns": r.EndNs = L(f[0]); break;
                case "meminfo": r.Meminfo[f[0]] = L(f[1]); break;
                case "vmstat": r.Vmstat[f[0]] = L(f[1]); break;
                case "vmstat0": r.Vmstat0[f[0]] = L(f[1]); break;
                case "meminfo0": r.Meminfo0[f[0]] = L(f[1]); break;
                case "harness_majflt": r.HarnessMajflt = L(f[0]); break;
                case "calibration":
                {
                    var c = new Dictionary<string, long>();
                    for (int i = 0; i + 1 < f.Length; i += 2) c[f[i]] = L(f[i + 1]);
                    r.Calibration = new TwinCalibration(c.GetValueOrDefault("fault_ns"), c.GetValueOrDefault("access_ns"),
                        c.GetValueOrDefault("swap_write_ns"), c.GetValueOrDefault("disk_read_ns"));
                    break;
                }
                case "proc":
                {
                    var p = new TwinProcess { Index = (int)L(f[0]) };
                    int commAt = rest.IndexOf(" comm ", StringComparison.Ordinal);
                    if (commAt >= 0)
                    {
                        p.Comm = rest[(commAt + 6)..];
                        f = rest[..commAt].Split(' ');
                    }
                    for (int i = 1; i + 1 < f.Length; i += 2)
                    {
                        switch (f[i])
                        {
                            case "pid": p.Pid = (int)L(f[i + 1]); break;
                            case "state": p.State = f[i + 1]; break;
                            case "code": p.Code = (int)L(f[i + 1]); break;
                            case "signal": p.Signal = (int)L(f[i + 1]); break;
                            case "minflt": p.MinFlt = L(f[i + 1]); break;
                            case "majflt": p.MajFlt = L(f[i + 1]); break;
                            case "start_ns": p.StartNs = L(f[i + 1]); break;
                            case "end_ns": p.EndNs = L(f[i + 1]); break;
                        }
                    }
                    r.Processes.Add(p);
                    byIndex[p.Index] = p;
                    break;
                }
                case "status":
                    if (byIndex.TryGetValue((int)L(f[0]), out var proc)) proc.Status[f[1]] = L(f[2]);
                    break;
                case "cgroup":
                    r.Cgroups.Add(new TwinCgroup { Index = (int)L(f[0]), Path = rest[(f[0].Length + 1)..] });
                    break;
                case "cgfile":
                    if (Cg(r, f[0]) is { } cf) cf.Files[f[1]] = string.Join(' ', f.Skip(2));
                    break;
                case "cgkv":
                    if (Cg(r, f[0]) is { } ck) ck.Kv(f[1])[f[2]] = L(f[3]);
                    break;
                case "cgline":
                    if (Cg(r, f[0]) is { } cl) cl.PressureLines.Add(string.Join(' ', f.Skip(2)));
                    break;
                case "pressure": r.Pressure.Add(rest); break;
                case "kmsg":
                {
                    var parts = rest.Split(' ', 3);
                    r.Kmsg.Add((L(parts[0]), (int)L(parts[1]), parts.Length > 2 ? parts[2] : ""));
                    break;
                }
                case "end": ended = true; break;
            }
            if (ended) break;
        }
        if (!ended) throw new TwinException("the VM's result is incomplete (no 'end' line)");
        return r;
    }

    private static TwinCgroup? Cg(TwinResult r, string index)
    {
        int i = (int)L(index);
        return r.Cgroups.FirstOrDefault(c => c.Index == i);
    }

    private static long L(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>Boots the twin VM with qemu (KVM when /dev/kvm can be opened, else software emulation), waits for it
/// to power off, and reads the result disk. A VM still running after the time limit is killed and reported.</summary>
public static class TwinRunner
{
    /// <summary>The kernel's command line. <c>no_timer_check</c>: under software emulation on a loaded host the
    /// IO-APIC timer test (arch/x86/kernel/apic/io_apic.c, timer_irq_works) can miss its ticks and panic the boot
    /// ("IO-APIC + timer doesn't work!"); seen here with a load average of 10. <c>rootfstype=ramfs</c>: the
    /// initramfs is unpacked into ramfs, not tmpfs (init/do_mounts.c, init_rootfs: tmpfs only when no root= and
    /// rootfstype names tmpfs or nothing), so the twin's own files (busybox, the modules, the executor, ~5.5 MB) are
    /// unevictable like the model's <c>kernel_memory</c>; on tmpfs the kernel swapped ~730 of those pages out
    /// (Shmem 5568 → ~2600 kB on memory-low-protection) and gave the scenario's processes that much more room.</summary>
    public const string CommandLine = "console=ttyS0 quiet panic=-1 no_timer_check rdinit=/init rootfstype=ramfs";

    /// <summary>A default limit: five minutes plus three times the scenario's own start times and sleeps. Software
    /// emulation on a busy host is slow: the reclaim built-ins took up to 150 s with a host load average of 35.</summary>
    public static TimeSpan DefaultTimeout(TwinPlan plan)
    {
        long ns = 0;
        foreach (var p in plan.Scenario.Processes) ns += p.StartAtNs + SleepNs(p.Steps); // start_after chains add up
        return TimeSpan.FromSeconds(300) + TimeSpan.FromTicks(Math.Min(ns / 100 * 3, TimeSpan.FromHours(1).Ticks));
    }

    private static long SleepNs(List<Workloads.Step> steps)
    {
        long ns = 0;
        foreach (var s in steps)
        {
            if (s is Workloads.SleepStep sl) ns += sl.DurationNs;
            else if (s is Workloads.RepeatStep r) ns += r.Times * SleepNs(r.Steps);
        }
        return ns;
    }

    public static List<string> QemuArgs(TwinImage img, string workDir, bool shell)
    {
        var m = img.Plan.Scenario.Machine;
        var a = new List<string>
        {
            "-nodefaults", "-no-reboot", "-display", "none", "-vga", "none",
            "-machine", "pc", "-m", $"{img.Plan.MemoryMiB}M", "-smp", m.Cpus.ToString(CultureInfo.InvariantCulture),
            "-kernel", img.Env.Kernel, "-initrd", img.Initramfs,
            "-append", CommandLine + (shell ? " mmsim.mode=shell" : " mmsim.mode=run"),
        };
        a.AddRange(img.Env.Kvm ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg", "-cpu", "max"]);
        if (shell) a.AddRange(["-serial", "mon:stdio"]);
        else a.AddRange(["-serial", $"file:{Path.Combine(workDir, "console.log")}", "-monitor", "none"]);
        a.AddRange(["-drive", $"file={Path.Combine(workDir, "result.img")},format=raw,if=virtio"]);
        if (img.SwapDevice is not null) a.AddRange(["-drive", $"file={Path.Combine(workDir, "swap.img")},format=raw,if=virtio"]);
        if (img.DataDisk is not null) a.AddRange(["-drive", $"file={img.DataDisk},format=raw,if=virtio,snapshot=on"]);
        return a;
    }

    private static string PrepareWorkDir(TwinImage img)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mmsim-twin-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        using (var f = File.Create(Path.Combine(dir, "result.img"))) f.SetLength(20L << 20); // the result text, then the calibration area at 16 MiB (twin_exec.c, CAL_OFF)
        if (img.SwapDevice is not null)
            using (var f = File.Create(Path.Combine(dir, "swap.img"))) f.SetLength(img.Plan.Scenario.Machine.SwapBytes);
        return dir;
    }

    public static TwinResult Run(TwinImage img, TimeSpan timeout)
    {
        string dir = PrepareWorkDir(img);
        try
        {
            var psi = new ProcessStartInfo(img.Env.Qemu)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            foreach (var x in QemuArgs(img, dir, false)) psi.ArgumentList.Add(x);
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new TwinException("cannot start qemu");
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            bool done = p.WaitForExit(timeout);
            if (!done)
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                p.WaitForExit();
            }
            sw.Stop();
            string console = ReadText(Path.Combine(dir, "console.log"));
            if (!done)
                throw new TwinException($"the VM did not finish within {timeout.TotalSeconds:F0} s and was killed. " +
                    $"Last lines of its console:\n{Tail(console, 15)}");
            if (p.ExitCode != 0)
                throw new TwinException($"qemu exited with status {p.ExitCode}: {stderr.Result.Trim()}\n{Tail(console, 15)}");
            string result = ReadResult(Path.Combine(dir, "result.img"));
            if (result.Length == 0)
                throw new TwinException($"the VM wrote no result. Last lines of its console:\n{Tail(console, 20)}");
            var r = TwinResult.Parse(result);
            r.Wall = sw.Elapsed;
            r.Kvm = img.Env.Kvm;
            r.ConsoleLog = console;
            return r;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>Boots the VM with its console on this terminal (mmsim twin shell). Returns qemu's exit status.</summary>
    public static int Shell(TwinImage img)
    {
        string dir = PrepareWorkDir(img);
        try
        {
            var psi = new ProcessStartInfo(img.Env.Qemu) { UseShellExecute = false };
            foreach (var x in QemuArgs(img, dir, true)) psi.ArgumentList.Add(x);
            using var p = Process.Start(psi) ?? throw new TwinException("cannot start qemu");
            p.WaitForExit();
            return p.ExitCode;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static string ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    /// <summary>The result disk's text: up to the first NUL byte.</summary>
    private static string ReadResult(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
