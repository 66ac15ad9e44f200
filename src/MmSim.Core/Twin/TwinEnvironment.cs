using System.Diagnostics;

namespace MmSim.Twin;

/// <summary>The twin could not run: a missing host package, a VM that hung or failed. The CLI prints the message
/// and exits with status 1 (not 2: the scenario itself was fine).</summary>
public sealed class TwinException(string message) : Exception(message);

/// <summary>
/// What the twin needs from the host, found once: qemu-system-x86_64, a kernel with its modules (Debian's
/// linux-image-amd64), a static busybox (busybox-static), gcc with a static glibc, and mkfs.ext4 (e2fsprogs) when
/// the scenario has files. <see cref="Require"/> throws a <see cref="TwinException"/> naming the package to install.
/// </summary>
public sealed class TwinEnvironment
{
    public const string InstallHint = "apt-get install -y qemu-system-x86 linux-image-amd64 busybox-static";

    public required string Qemu { get; init; }
    public required string Kernel { get; init; }
    public required string KernelVersion { get; init; }
    public required string ModulesDir { get; init; }
    public required string Busybox { get; init; }
    public required string Gcc { get; init; }
    public string? MkfsExt4 { get; init; }
    /// <summary>/dev/kvm exists and can be opened; <see cref="TwinImage.Accelerator"/> then checks that a VM really
    /// boots with it (nested virtualisation sometimes offers a /dev/kvm that cannot run this kernel).</summary>
    public bool KvmDevice { get; init; }

    /// <summary>Set by <see cref="TwinImage.Accelerator"/>: the VM runs with KVM (else qemu's software emulation).</summary>
    public bool Kvm { get; set; }

    public static TwinEnvironment Require()
    {
        string qemu = Which("qemu-system-x86_64")
            ?? throw Missing("qemu-system-x86_64 was not found", "qemu-system-x86");
        string busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(IsStaticBusybox)
            ?? throw Missing("a statically linked busybox was not found (/bin/busybox)", "busybox-static");
        string gcc = Which("gcc") ?? throw Missing("gcc was not found (it builds the in-VM executor)", "gcc");
        var (kernel, version) = FindKernel()
            ?? throw Missing("no kernel with modules was found (/boot/vmlinuz-* and /lib/modules/VERSION/modules.dep)",
                "linux-image-amd64");
        return new TwinEnvironment
        {
            Qemu = qemu, Kernel = kernel, KernelVersion = version, ModulesDir = Path.Combine("/lib/modules", version),
            Busybox = busybox, Gcc = gcc, MkfsExt4 = Which("mkfs.ext4"), KvmDevice = KvmUsable(),
        };
    }

    private static TwinException Missing(string what, string package) =>
        new($"the twin cannot run: {what}. Install it with: apt-get install -y {package} " +
            $"(the twin needs: {InstallHint[("apt-get install -y ".Length)..]})");

    /// <summary>The newest /boot/vmlinuz-VERSION that has /lib/modules/VERSION/modules.dep.</summary>
    private static (string Kernel, string Version)? FindKernel()
    {
        if (!Directory.Exists("/boot")) return null;
        return Directory.GetFiles("/boot", "vmlinuz-*")
            .Select(k => (Kernel: k, Version: Path.GetFileName(k)["vmlinuz-".Length..]))
            .Where(k => File.Exists(Path.Combine("/lib/modules", k.Version, "modules.dep")))
            .OrderByDescending(k => k.Version, StringComparer.Ordinal)
            .Select(k => ((string, string)?)k)
            .FirstOrDefault();
    }

    private static bool IsStaticBusybox(string path)
    {
        if (!File.Exists(path)) return false;
        // A dynamic executable has a PT_INTERP program header naming the loader; a static one does not.
        var bytes = File.ReadAllBytes(path);
        var interp = "/lib64/ld-linux"u8;
        return bytes.AsSpan().IndexOf(interp) < 0;
    }

    private static bool KvmUsable()
    {
        try
        {
            using var f = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public static string? Which(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        foreach (var d in dirs)
        {
            string p = Path.Combine(d, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The cache directory: $XDG_CACHE_HOME/mmsim/twin or ~/.cache/mmsim/twin.</summary>
    public static string CacheDir()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string dir = Path.Combine(root, "mmsim", "twin");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a host tool to completion; throws a <see cref="TwinException"/> with its output on failure.</summary>
    public static string RunTool(string file, IEnumerable<string> args, string what, int timeoutMs = 300_000)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new TwinException($"{what}: cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(true);
            throw new TwinException($"{what}: {file} did not finish within {timeoutMs / 1000} s");
        }
        if (p.ExitCode != 0)
            throw new TwinException($"{what} failed ({file} exited with {p.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
        return stdout.Result;
    }
}
