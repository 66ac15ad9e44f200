using System.Diagnostics;
using System.Text;

namespace MmSim.Cache;

/// <summary>What <see cref="LackeyCapture.Run"/> wrote: record counts (M counted once, as a line), the distinct
/// 4 KiB pages touched, the program's exit status.</summary>
public sealed record LackeyCaptureSummary(long Lines, long Instructions, long Loads, long Stores, long Modifies,
    long DistinctPages, long Bytes, int ExitCode);

/// <summary>
/// Runs a real program under valgrind's lackey tool (<c>valgrind --tool=lackey --trace-mem=yes --log-file=…</c>) and
/// keeps only the memory trace: the <c>I</c>, <c> L</c>, <c> S</c> and <c> M</c> lines, without valgrind's
/// <c>==PID==</c> banner and statistics. The program's own stdout and stderr are inherited.
/// </summary>
public static class LackeyCapture
{
    public const string InstallHint = "install it with 'apt-get install valgrind' (Debian/Ubuntu) or 'dnf install valgrind'";

    /// <summary>valgrind on PATH, or null.</summary>
    public static string? FindValgrind()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string p = Path.Combine(dir, "valgrind");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Captures the trace of <paramref name="command"/> into <paramref name="output"/> (written through a
    /// temporary file and a rename, so a failure leaves an existing file alone).</summary>
    public static LackeyCaptureSummary Run(string? valgrind, IReadOnlyList<string> command, string output)
    {
        if (command.Count == 0) throw new InputException("command line", 0, "expected a program to trace: mmsim trace -o FILE -- COMMAND ARGS");
        valgrind ??= FindValgrind();
        if (valgrind is null || !File.Exists(valgrind))
            throw new InputException("valgrind", 0, $"valgrind is not installed{(valgrind is null ? "" : $" (no {valgrind})")}; {InstallHint}");
        string full = Path.GetFullPath(output);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new InputException(output, 0, $"cannot write: directory {dir} does not exist");
        string log = full + ".valgrind-" + Environment.ProcessId;
        string tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            var psi = new ProcessStartInfo(valgrind) { UseShellExecute = false };
            foreach (var a in new[] { "--tool=lackey", "--trace-mem=yes", "--log-file=" + log }) psi.ArgumentList.Add(a);
            foreach (var a in command) psi.ArgumentList.Add(a);
            int exit;
            try
            {
                using var p = Process.Start(psi)!;
                p.WaitForExit();
                exit = p.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InputException("valgrind", 0, $"cannot run {valgrind}: {ex.Message}; {InstallHint}", inner: ex);
            }
            if (!File.Exists(log))
                throw new InputException("valgrind", 0, $"valgrind wrote no log (exit status {exit}); is '{command[0]}' a program?");
            var summary = Filter(log, tmp, exit);
            if (summary.Lines == 0)
                throw new InputException("valgrind", 0, $"no memory trace from '{string.Join(' ', command)}': {LastError(log)}");
            File.Move(tmp, full, overwrite: true);
            return summary;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InputException(output, 0, $"cannot write: {e.Message}");
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            if (File.Exists(log)) File.Delete(log);
        }
    }

    /// <summary>Copies the trace lines of a lackey log verbatim (dropping valgrind's <c>==PID==</c>, <c>--PID--</c>
    /// and <c>**PID**</c> lines), then reads the copy back with <see cref="LackeyRecordReader"/> to count it.</summary>
    public static LackeyCaptureSummary Filter(string log, string output, int exitCode)
    {
        using (var outStream = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
        using (var reader = new StreamReader(log, Encoding.UTF8))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 2 && (line.StartsWith("I ", StringComparison.Ordinal) ||
                    (line[0] == ' ' && line[1] is 'L' or 'S' or 'M' && line[2] == ' ')))
                    outStream.WriteLine(line);
            }
        }
        long lines = 0, i = 0, l = 0, s = 0, m = 0;
        var pages = new HashSet<ulong>();
        using (var r = LackeyRecordReader.Open(output))
        {
            while (r.Next(out var rec))
            {
                lines++;
                switch (rec.Op)
                {
                    case (byte)'I': i++; break;
                    case (byte)'L': l++; break;
                    case (byte)'S': s++; break;
                    default: m++; break;
                }
                pages.Add(rec.Address >> 12);
            }
        }
        return new LackeyCaptureSummary(lines, i, l, s, m, pages.Count, new FileInfo(output).Length, exitCode);
    }

    private static string LastError(string log)
    {
        var text = File.ReadAllLines(log).Where(x => x.Length > 0 && !x.StartsWith("==", StringComparison.Ordinal)).ToList();
        return text.Count > 0 ? text[^1] : "valgrind printed nothing (see 'valgrind --tool=lackey COMMAND')";
    }
}
