using System.Security.Cryptography;
using System.Text;

namespace MmSim.Twin;

/// <summary>
/// The VM image of a scenario, built on the host and cached under <see cref="TwinEnvironment.CacheDir"/> by a
/// hash of its inputs: the executor (twin_exec.c built by gcc as a static binary), the initramfs (a newc cpio
/// written here: busybox, the kernel modules for virtio and ext4, /init, the executor and the plan) and, when the
/// scenario has files, an ext4 disk holding them with real, non-zero content.
/// </summary>
public sealed class TwinImage
{
    public const string ExecutorResource = "twin/twin_exec.c";

    /// <summary>Device names inside the VM: the result disk is always the first virtio disk.</summary>
    public const string ResultDevice = "/dev/vda";

    public required TwinPlan Plan { get; init; }
    public required TwinEnvironment Env { get; init; }
    public required string Initramfs { get; init; }
    public string? DataDisk { get; init; }
    public string? SwapDevice { get; init; }
    public string? DataDevice { get; init; }

    public static string ExecutorSource()
    {
        using var s = typeof(TwinImage).Assembly.GetManifestResourceStream(ExecutorResource)
            ?? throw new InvalidOperationException($"resource {ExecutorResource} is missing");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    public static TwinImage Build(TwinPlan plan, TwinEnvironment env)
    {
        string cache = TwinEnvironment.CacheDir();
        Accelerator(env);
        string exe = BuildExecutor(env.Gcc, cache);
        var m = plan.Scenario.Machine;
        char next = 'b';
        string? swapDev = m.SwapBytes > 0 ? $"/dev/vd{next++}" : null;
        string? dataDev = plan.Files.Count > 0 ? $"/dev/vd{next++}" : null;
        var modules = ModuleClosure(env, plan.Files.Count > 0
            ? ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"]
            : ["virtio_pci", "virtio_blk"]);
        string init = InitScript(plan, modules.Select(x => x.Name).ToList(), swapDev, dataDev);

        string key = Hash(
            File.ReadAllBytes(exe), Encoding.UTF8.GetBytes(plan.Text), Encoding.UTF8.GetBytes(init),
            Encoding.UTF8.GetBytes(env.KernelVersion + "|" + Stamp(env.Busybox) + "|" + string.Join(",", modules.Select(x => x.Path))));
        string initramfs = Path.Combine(cache, $"initramfs-{key}.cpio");
        if (!File.Exists(initramfs))
        {
            string tmp = initramfs + $".{Environment.ProcessId}.tmp";
            using (var fs = File.Create(tmp))
            {
                var cpio = new CpioWriter(fs);
                foreach (var d in new[] { "/bin", "/dev", "/proc", "/sys", "/tmp", "/twinfs", "/lib", "/lib/modules" })
                    cpio.Directory(d);
                cpio.CharDevice("/dev/console", 5, 1);
                cpio.Executable("/bin/busybox", File.ReadAllBytes(env.Busybox));
                foreach (var (name, path) in modules) cpio.File($"/lib/modules/{name}.ko", File.ReadAllBytes(path));
                cpio.Executable("/init", Encoding.UTF8.GetBytes(init));
                cpio.Executable("/twin_exec", File.ReadAllBytes(exe));
                cpio.File("/plan", Encoding.UTF8.GetBytes(plan.Text));
                cpio.Trailer();
            }
            File.Move(tmp, initramfs, true);
        }
        string? data = plan.Files.Count > 0 ? BuildDataDisk(plan, env, cache) : null;
        return new TwinImage { Plan = plan, Env = env, Initramfs = initramfs, DataDisk = data, SwapDevice = swapDev, DataDevice = dataDev };
    }

    /// <summary>
    /// Decides between KVM and software emulation (TCG): KVM when /dev/kvm opens and a probe VM (busybox powering
    /// off at once) boots and exits with it within 30 s. The answer is cached per host CPU, qemu and kernel.
    /// MMSIM_TWIN_ACCEL=kvm or tcg forces the choice.
    /// </summary>
    public static void Accelerator(TwinEnvironment env)
    {
        string? forced = Environment.GetEnvironmentVariable("MMSIM_TWIN_ACCEL");
        if (forced is "kvm" or "tcg") { env.Kvm = forced == "kvm"; return; }
        if (!env.KvmDevice) { env.Kvm = false; return; }
        string cache = TwinEnvironment.CacheDir();
        string cpu = File.Exists("/proc/cpuinfo")
            ? string.Join("|", File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("model name") || l.StartsWith("flags")).Take(2))
            : "";
        string key = Hash(Encoding.UTF8.GetBytes(cpu + "|" + Stamp(env.Qemu) + "|" + Stamp(env.Kernel)));
        string file = Path.Combine(cache, $"accel-{key}");
        if (File.Exists(file)) { env.Kvm = File.ReadAllText(file).Trim() == "kvm"; return; }
        string probe = Path.Combine(cache, $"probe-{Environment.ProcessId}.cpio");
        bool ok = false;
        try
        {
            using (var fs = File.Create(probe))
            {
                var cpio = new CpioWriter(fs);
                cpio.Directory("/bin");
                cpio.Directory("/dev");
                cpio.CharDevice("/dev/console", 5, 1);
                cpio.Executable("/bin/busybox", File.ReadAllBytes(env.Busybox));
                cpio.Executable("/init", Encoding.UTF8.GetBytes("#!/bin/busybox sh\n/bin/busybox poweroff -f\n"));
                cpio.Trailer();
            }
            var psi = new System.Diagnostics.ProcessStartInfo(env.Qemu)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "-nodefaults", "-no-reboot", "-display", "none", "-vga", "none", "-accel", "kvm", "-cpu", "host",
                         "-m", "256M", "-kernel", env.Kernel, "-initrd", probe, "-append", "console=ttyS0 quiet panic=-1 no_timer_check rdinit=/init",
                         "-serial", "null", "-monitor", "none",
                     })
                psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi);
            if (p is not null)
            {
                var o = p.StandardOutput.ReadToEndAsync();
                var e = p.StandardError.ReadToEndAsync();
                if (p.WaitForExit(30_000)) ok = p.ExitCode == 0;
                else { try { p.Kill(true); } catch (InvalidOperationException) { } p.WaitForExit(); }
            }
        }
        finally
        {
            if (File.Exists(probe)) File.Delete(probe);
        }
        env.Kvm = ok;
        File.WriteAllText(file, ok ? "kvm\n" : "tcg\n");
    }

    /// <summary>The executor, compiled once per source and compiler: gcc -static -O2 -ffp-contract=off ... -lm.</summary>
    public static string BuildExecutor(string gcc, string cache)
    {
        string src = ExecutorSource();
        string gccVersion = TwinEnvironment.RunTool(gcc, ["-dumpfullversion"], "gcc -dumpfullversion").Trim();
        string key = Hash(Encoding.UTF8.GetBytes(src), Encoding.UTF8.GetBytes(gccVersion));
        string exe = Path.Combine(cache, $"twin_exec-{key}");
        if (File.Exists(exe)) return exe;
        string dir = Path.Combine(cache, $"build-{key}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            string c = Path.Combine(dir, "twin_exec.c");
            File.WriteAllText(c, src);
            string o = Path.Combine(dir, "twin_exec");
            TwinEnvironment.RunTool(gcc, ["-static", "-O2", "-ffp-contract=off", "-o", o, c, "-lm"],
                "building the twin executor (gcc -static; it needs libc6-dev)");
            File.Move(o, exe, true);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return exe;
    }

    /// <summary>The modules to insmod, dependencies first, from modules.dep (paths relative to the modules dir).</summary>
    public static List<(string Name, string Path)> ModuleClosure(TwinEnvironment env, IEnumerable<string> wanted)
    {
        var deps = new Dictionary<string, (string Path, string[] Deps)>();
        static string NameOf(string p)
        {
            string f = System.IO.Path.GetFileName(p);
            int ko = f.IndexOf(".ko", StringComparison.Ordinal);
            return (ko >= 0 ? f[..ko] : f).Replace('-', '_');
        }
        foreach (var line in File.ReadLines(Path.Combine(env.ModulesDir, "modules.dep")))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string path = line[..colon];
            deps[NameOf(path)] = (path, line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        var order = new List<(string, string)>();
        var seen = new HashSet<string>();
        void Visit(string name)
        {
            if (!seen.Add(name)) return;
            if (!deps.TryGetValue(name, out var d))
                throw new TwinException($"the kernel module {name} is not in {env.ModulesDir}/modules.dep " +
                    "(it may be built in, or the kernel package is incomplete: apt-get install -y linux-image-amd64)");
            foreach (var dep in d.Deps) Visit(NameOf(dep));
            string full = Path.Combine(env.ModulesDir, d.Path);
            if (!full.EndsWith(".ko"))
                throw new TwinException($"the kernel module {full} is compressed; the twin needs uncompressed .ko files");
            order.Add((name, full));
        }
        foreach (var w in wanted)
        {
            // A module built into the kernel is not in modules.dep but in modules.builtin: nothing to load.
            if (!deps.ContainsKey(w) && IsBuiltin(env, w)) continue;
            Visit(w);
        }
        return order;
    }

    private static bool IsBuiltin(TwinEnvironment env, string name)
    {
        string f = Path.Combine(env.ModulesDir, "modules.builtin");
        return File.Exists(f) && File.ReadLines(f).Any(l => Path.GetFileName(l).Replace('-', '_').StartsWith(name + ".ko"));
    }

    private static string InitScript(TwinPlan plan, List<string> modules, string? swapDev, string? dataDev)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/busybox sh\n");
        sb.Append("# mmsim twin: the VM's init (written by MmSim.Twin.TwinImage)\n");
        sb.Append("/bin/busybox --install -s /bin\nexport PATH=/bin\n");
        sb.Append("mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n");
        sb.Append("mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n");
        sb.Append("say() { echo \"mmsim-twin: $*\"; }\n");
        sb.Append("w() { if [ -e \"$1\" ]; then echo \"$2\" > \"$1\" 2>/dev/null || say \"cannot write $2 to $1\"; fi; }\n");
        foreach (var mod in modules) sb.Append($"insmod /lib/modules/{mod}.ko || say 'insmod {mod} failed'\n");
        string last = dataDev ?? swapDev ?? TwinImage.ResultDevice;
        sb.Append($"i=0; while [ ! -b {last} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n");
        sb.Append($"[ -b {last} ] || say 'the virtio disks did not appear'\n");
        foreach (var (path, value) in plan.Sysctls())
        {
            if (path.Contains("transparent_hugepage"))
                // Linux keeps THP off on machines under 512 MiB (hugepage_init); writing the file would turn it on.
                sb.Append($"mt=$(awk '/^MemTotal/ {{print $2}}' /proc/meminfo); [ \"$mt\" -ge 524288 ] && w {path} {value}\n");
            else sb.Append($"w {path} '{value}'\n");
        }
        if (swapDev is not null) sb.Append($"mkswap {swapDev} >/dev/null && swapon {swapDev} || say 'swapon failed'\n");
        if (dataDev is not null)
        {
            sb.Append($"mount -t ext4 {dataDev} /twinfs || say 'mounting the files disk failed'\n");
            sb.Append($"w /sys/block/{Path.GetFileName(dataDev)}/queue/read_ahead_kb {plan.Scenario.Vm.ReadAheadKb}\n");
        }
        sb.Append("sync; echo 3 > /proc/sys/vm/drop_caches\n");
        sb.Append("if grep -q mmsim.mode=shell /proc/cmdline; then\n");
        sb.Append("  say \"shell on $(uname -r); the scenario runs with: /twin_exec /plan " + TwinImage.ResultDevice + "; leave with: poweroff -f\"\n");
        sb.Append("  setsid cttyhack sh\n");
        sb.Append("else\n");
        sb.Append($"  /twin_exec /plan {TwinImage.ResultDevice} || say \"the executor failed with status $?\"\n");
        sb.Append("fi\n");
        sb.Append("poweroff -f\n");
        return sb.ToString();
    }

    /// <summary>The ext4 disk with the scenario's files as f0, f1... (content: a header per 4 KiB page, then
    /// letters), made by mkfs.ext4 -d; the VM uses it copy-on-write (snapshot=on), so the cached image stays clean.</summary>
    private static string BuildDataDisk(TwinPlan plan, TwinEnvironment env, string cache)
    {
        if (env.MkfsExt4 is null)
            throw new TwinException("the twin cannot build the files disk: mkfs.ext4 was not found. Install it with: apt-get install -y e2fsprogs");
        string key = Hash(Encoding.UTF8.GetBytes("content-v1|" + string.Join("|", plan.Files.Select(f => f.SizeBytes))));
        string img = Path.Combine(cache, $"files-{key}.ext4");
        if (File.Exists(img)) return img;
        string dir = Path.Combine(cache, $"files-{key}-{Environment.ProcessId}");
        string tmp = img + $".{Environment.ProcessId}.tmp";
        Directory.CreateDirectory(dir);
        try
        {
            long total = 0;
            var page = new byte[4096];
            for (int i = 0; i < plan.Files.Count; i++)
            {
                long size = plan.Files[i].SizeBytes;
                total += (size + 4095) / 4096 * 4096;
                using var fs = new FileStream(Path.Combine(dir, $"f{i}"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                for (long off = 0, p = 0; off < size; off += 4096, p++)
                {
                    for (int b = 0; b < page.Length; b++) page[b] = (byte)('a' + (b + p) % 26);
                    Encoding.ASCII.GetBytes($"mmsim file f{i} page {p}\n").CopyTo(page, 0);
                    fs.Write(page, 0, (int)Math.Min(4096, size - off));
                }
            }
            long bytes = total + total / 10 + (32L << 20);
            using (var fs = File.Create(tmp)) fs.SetLength(bytes / 4096 * 4096);
            TwinEnvironment.RunTool(env.MkfsExt4, ["-q", "-F", "-t", "ext4", "-L", "mmsim", "-E", "root_owner=0:0", "-d", dir, tmp],
                "building the files disk (mkfs.ext4)");
            File.Move(tmp, img, true);
        }
        finally
        {
            Directory.Delete(dir, true);
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return img;
    }

    private static string Stamp(string path)
    {
        var fi = new FileInfo(path);
        return $"{path}:{fi.Length}:{fi.LastWriteTimeUtc.Ticks}";
    }

    public static string Hash(params byte[][] parts)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in parts)
        {
            h.AppendData(BitConverter.GetBytes(p.Length));
            h.AppendData(p);
        }
        return Convert.ToHexString(h.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
