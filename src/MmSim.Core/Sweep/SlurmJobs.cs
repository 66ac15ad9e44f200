using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MmSim.Sweep;

/// <summary>The state of one array task as slurmctld reports it.</summary>
public sealed record SlurmTaskState(int Task, string State, string ExitCode)
{
    public bool Succeeded => State == "COMPLETED" && ExitCode == "0:0";
}

/// <summary>Submits a job array with <c>sbatch</c> and waits for it with <c>squeue</c>/<c>scontrol</c> (which
/// need no accounting database, unlike <c>sacct</c>).</summary>
public static partial class SlurmJobs
{
    /// <summary>Runs <c>sbatch --parsable [--array=TASKS] ARGS SCRIPT</c>; returns the job id.</summary>
    public static string Submit(string script, IReadOnlyList<string> sbatchArgs, string? tasks)
    {
        var args = new List<string> { "--parsable" };
        if (tasks is not null) args.Add($"--array={tasks}");
        args.AddRange(sbatchArgs);
        args.Add(script);
        var (code, stdout, stderr) = Run("sbatch", args);
        if (code != 0) throw new InputException("sbatch", 0, $"failed (exit {code}): {stderr.Trim()}");
        string id = stdout.Trim().Split(';')[0];
        if (!JobId().IsMatch(id)) throw new InputException("sbatch", 0, $"printed '{stdout.Trim()}', expected a job id");
        return id;
    }

    /// <summary>Polls until no task of the job is pending or running, then returns each task's final state.</summary>
    public static IReadOnlyList<SlurmTaskState> Wait(string jobId, TimeSpan poll, CancellationToken cancel = default)
    {
        while (true)
        {
            var (code, stdout, stderr) = Run("squeue", ["-h", "-j", jobId, "-o", "%i %T"]);
            // Once the job has left the queue squeue prints nothing (or, on some versions, "Invalid job id").
            if (code != 0 && !stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
                throw new InputException("squeue", 0, $"failed (exit {code}): {stderr.Trim()}");
            if (code != 0 || stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).All(l => Terminal(l.Split(' ').Last())))
                break;
            Task.Delay(poll, cancel).Wait(cancel);
        }
        return States(jobId);
    }

    /// <summary>Each array task's state from <c>scontrol -o show job</c> (kept by slurmctld for MinJobAge).</summary>
    public static IReadOnlyList<SlurmTaskState> States(string jobId)
    {
        var (code, stdout, stderr) = Run("scontrol", ["-o", "show", "job", jobId]);
        if (code != 0) throw new InputException("scontrol", 0, $"failed (exit {code}): {stderr.Trim()}");
        var list = new List<SlurmTaskState>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var task = ArrayTask().Match(line);
            var state = JobStateRe().Match(line);
            var exit = ExitCodeRe().Match(line);
            if (!task.Success || !state.Success) continue;
            list.Add(new SlurmTaskState(int.Parse(task.Groups[1].Value), state.Groups[1].Value, exit.Success ? exit.Groups[1].Value : "?"));
        }
        return list.OrderBy(t => t.Task).ToList();
    }

    private static bool Terminal(string state) => state is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT"
        or "NODE_FAIL" or "OUT_OF_MEMORY" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE";

    public static (int Code, string Stdout, string Stderr) Run(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InputException(file, 0, "could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InputException(file, 0, $"cannot run it ({e.Message}); is Slurm's client (slurm-client) installed?");
        }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            string o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, o, err.Result);
        }
    }

    [GeneratedRegex(@"^\d+(_\d+)?$")] private static partial Regex JobId();
    [GeneratedRegex(@"\bArrayTaskId=(\d+)\b")] private static partial Regex ArrayTask();
    [GeneratedRegex(@"\bJobState=(\S+)")] private static partial Regex JobStateRe();
    [GeneratedRegex(@"\bExitCode=(\S+)")] private static partial Regex ExitCodeRe();
}
