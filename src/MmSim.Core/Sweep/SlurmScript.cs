using System.Text;

namespace MmSim.Sweep;

/// <summary>Writes DIR/sweep.sbatch: a Slurm job array, task K running <c>mmsim sweep run --shard auto</c>, which
/// reads K from SLURM_ARRAY_TASK_ID. mmsim is called by an absolute path, since a compute node's PATH and working
/// folder need not be the submitter's.</summary>
public static class SlurmScript
{
    public const string FileName = "sweep.sbatch";

    /// <param name="mmsim">The command that runs mmsim, e.g. "/opt/mmsim/mmsim" or "/usr/bin/dotnet /opt/mmsim/mmsim.dll".</param>
    /// <param name="cpusPerTask">Cores per task (and the task's --jobs); 0 leaves Slurm's default of one.</param>
    public static string Build(SweepSpec spec, string sweepFile, string dir, int shards, string mmsim, int cpusPerTask)
    {
        string d = Path.GetFullPath(dir);
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# Written by mmsim sweep slurm: sweep '{spec.Name}' (sha256 {spec.Hash}) in {shards} shards.\n");
        sb.Append("# Task K runs shard K; results go to DIR/results, one file per cell. Submit: sbatch ").Append(ShellQuote(Path.Combine(d, FileName))).Append('\n');
        sb.Append($"#SBATCH --job-name=mmsim-sweep-{spec.Name}\n");
        sb.Append($"#SBATCH --array=0-{shards - 1}\n");
        sb.Append($"#SBATCH --output={d}/logs/shard-%a.out\n");
        sb.Append($"#SBATCH --error={d}/logs/shard-%a.err\n");
        if (cpusPerTask > 0) sb.Append($"#SBATCH --cpus-per-task={cpusPerTask}\n");
        sb.Append("set -eu\n");
        sb.Append($"exec {mmsim} sweep run {ShellQuote(Path.GetFullPath(sweepFile))} --out {ShellQuote(d)} --shard auto --shards {shards} --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\"\n");
        return sb.ToString();
    }

    public static string ShellQuote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=' or '+' or ',')
            ? s
            : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>The command that runs this mmsim: the native apphost by its absolute path, or the dotnet host with
    /// the absolute path of mmsim.dll.</summary>
    public static string CurrentMmsim()
    {
        string proc = Environment.ProcessPath ?? "dotnet";
        string? entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (Path.GetFileNameWithoutExtension(proc) == "dotnet" && !string.IsNullOrEmpty(entry))
            return $"{ShellQuote(proc)} {ShellQuote(entry)}";
        return ShellQuote(proc);
    }

    /// <summary>Splits "--partition=x --time 10" like a shell (whitespace, single and double quotes).</summary>
    public static List<string> SplitArgs(string text)
    {
        var list = new List<string>();
        var cur = new StringBuilder();
        bool any = false;
        char quote = '\0';
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else cur.Append(c);
            }
            else if (c is '\'' or '"') { quote = c; any = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (any || cur.Length > 0) list.Add(cur.ToString());
                cur.Clear();
                any = false;
            }
            else cur.Append(c);
        }
        if (quote != '\0') throw new InputException("--sbatch-args", 0, $"unterminated quote in '{text}'");
        if (any || cur.Length > 0) list.Add(cur.ToString());
        return list;
    }
}
