using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MmSim.Sweep;

namespace MmSim.Tests.Sweep;

/// <summary>
/// A private one-node Slurm cluster from Debian's packages (slurmctld, slurmd, slurm-client, munge), in a
/// temporary folder: its own munge key and munged (run as the munge user, socket in the folder), a slurm.conf
/// with SlurmctldHost and one node on 127.0.0.1 with this machine's CPUs and memory (as <c>slurmd -C</c> reports
/// them), proctrack/linuxproc, task/none, no accounting, free ports; then <c>slurmctld -D</c> and
/// <c>slurmd -D</c> in the background. Ready once <c>sinfo</c> shows the node idle; stopped at the end. Needs root
/// (CI runs as root): without it, or without the packages, the constructor fails with what to do.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlurmCluster : IDisposable
{
    public string Dir { get; }
    public string Conf { get; }
    private readonly List<Process> _daemons = [];
    private readonly string _mungePid;

    public SlurmCluster()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("the Slurm tests start slurmctld, slurmd and munged and must run as root (CI does); run the tests as root");
        foreach (var exe in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch" })
            if (!File.Exists(exe))
                throw new InvalidOperationException($"{exe} is missing: apt-get install slurmctld slurmd slurm-client munge (see .ci/run)");

        Dir = SweepKit.TempDir("slurm");
        string munge = Path.Combine(Dir, "munge");
        Directory.CreateDirectory(munge);
        // munged insists: its key readable by it alone, its socket folder searchable by every user.
        Sh("chown", "munge:munge", munge);
        File.SetUnixFileMode(munge, (UnixFileMode)0b111_101_101);
        string key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, RandomNumberBytes(1024));
        Sh("chown", "munge:munge", key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        string socket = Path.Combine(munge, "munge.socket");
        _mungePid = Path.Combine(munge, "munged.pid");
        Sh("runuser", "-u", "munge", "--", "/usr/sbin/munged", $"--key-file={key}", $"--socket={socket}",
            $"--pid-file={_mungePid}", $"--log-file={Path.Combine(munge, "munged.log")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");

        string host = Sh("hostname", "-s").Trim();
        var (cpus, mem) = NodeResources();
        int ctldPort = FreePort(), dPort = FreePort();
        foreach (var d in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Dir, d));
        Conf = Path.Combine(Dir, "slurm.conf");
        File.WriteAllText(Conf, $"""
            ClusterName=mmsimtest
            SlurmctldHost={host}(127.0.0.1)
            SlurmctldPort={ctldPort}
            SlurmdPort={dPort}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            StateSaveLocation={Dir}/state
            SlurmdSpoolDir={Dir}/spool
            SlurmctldPidFile={Dir}/slurmctld.pid
            SlurmdPidFile={Dir}/slurmd.pid
            SlurmctldLogFile={Dir}/log/slurmctld.log
            SlurmdLogFile={Dir}/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            SwitchType=switch/none
            MpiDefault=none
            SchedulerType=sched/builtin
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            MinJobAge=3600
            NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem} State=UNKNOWN
            PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        // Every Slurm command this process (and mmsim's sbatch/squeue/scontrol) runs talks to this cluster.
        Environment.SetEnvironmentVariable("SLURM_CONF", Conf);
        _daemons.Add(Start("/usr/sbin/slurmctld", "-D", "-f", Conf));
        _daemons.Add(Start("/usr/sbin/slurmd", "-D", "-f", Conf));

        var sw = Stopwatch.StartNew();
        string state = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(90))
        {
            var (code, o, _) = SlurmJobs.Run("sinfo", ["-h", "-N", "-o", "%T"]);
            state = o.Trim();
            if (code == 0 && state == "idle") return;
            if (_daemons.Any(p => p.HasExited)) break;
            Thread.Sleep(250);
        }
        string logs = Tail(Path.Combine(Dir, "log", "slurmctld.log")) + Tail(Path.Combine(Dir, "log", "slurmd.log"));
        Dispose();
        throw new InvalidOperationException($"the test Slurm node did not become idle (sinfo: '{state}'); logs:\n{logs}");
    }

    private static byte[] RandomNumberBytes(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    /// <summary>CPUs and RealMemory (MB) as slurmd itself detects them, so the node is not drained.</summary>
    private static (int Cpus, long Mem) NodeResources()
    {
        string c = Sh("/usr/sbin/slurmd", "-C");
        var cpus = Regex.Match(c, @"\bCPUs=(\d+)");
        var mem = Regex.Match(c, @"\bRealMemory=(\d+)");
        if (!cpus.Success || !mem.Success) throw new InvalidOperationException($"slurmd -C printed no CPUs/RealMemory: {c}");
        return (int.Parse(cpus.Groups[1].Value), long.Parse(mem.Groups[1].Value));
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private Process Start(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = Conf;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static string Sh(string exe, params string[] args)
    {
        var (code, o, e) = SlurmJobs.Run(exe, args);
        if (code != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed (exit {code}): {e}{o}");
        return o;
    }

    private static string Tail(string path) =>
        File.Exists(path) ? $"--- {path}\n" + string.Join('\n', File.ReadLines(path).TakeLast(15)) + "\n" : "";

    public void Dispose()
    {
        SlurmJobs.Run("scancel", ["--partition=test"]);
        foreach (var p in _daemons)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
            p.Dispose();
        }
        _daemons.Clear();
        if (File.Exists(_mungePid) && int.TryParse(File.ReadAllText(_mungePid).Trim(), out int pid))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        // The environment variable stays pointing at a stopped cluster: harmless, nothing else reads it.
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
