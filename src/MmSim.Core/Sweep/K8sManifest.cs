using System.Text;

namespace MmSim.Sweep;

/// <summary>
/// Writes a Kubernetes Indexed Job (batch/v1, <c>completionMode: Indexed</c>): pod K gets
/// JOB_COMPLETION_INDEX=K and runs <c>mmsim sweep run --shard auto --shards N</c>. The sweep file, its traces
/// and DIR live on one volume (a PersistentVolumeClaim, ReadWriteMany) mounted at <c>mount</c>: the sweep file
/// at MOUNT/&lt;its name&gt;, DIR at MOUNT/&lt;DIR relative to the sweep file's folder&gt;.
/// </summary>
public static class K8sManifest
{
    public const string FileName = "sweep-job.yaml";

    public static string Build(SweepSpec spec, string sweepFile, string dir, int shards, string image, string claim,
        string mount, string mmsim, int cpus, int parallelism)
    {
        string sweepDir = Path.GetDirectoryName(Path.GetFullPath(sweepFile))!;
        string rel = Path.GetRelativePath(sweepDir, Path.GetFullPath(dir));
        if (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel))
            throw new InputException("--out", 0, $"for k8s the results folder must be inside the sweep file's folder {sweepDir} (both go on one volume), got {dir}");
        mount = mount.TrimEnd('/');
        string file = $"{mount}/{Path.GetFileName(sweepFile)}";
        string outDir = rel == "." ? mount : $"{mount}/{rel.Replace('\\', '/')}";
        string name = DnsName($"mmsim-sweep-{spec.Name}");
        var cmd = new List<string>();
        cmd.AddRange(SlurmScript.SplitArgs(mmsim));
        cmd.AddRange(["sweep", "run", file, "--out", outDir, "--shard", "auto", "--shards", shards.ToString(), "--jobs", Math.Max(1, cpus).ToString()]);

        var sb = new StringBuilder();
        sb.Append($"# Written by mmsim sweep k8s: sweep '{spec.Name}' (sha256 {spec.Hash}) in {shards} shards.\n");
        sb.Append("# Apply: kubectl apply -f sweep-job.yaml; then mmsim sweep merge on the volume's DIR.\n");
        sb.Append("apiVersion: batch/v1\n");
        sb.Append("kind: Job\n");
        sb.Append("metadata:\n");
        sb.Append($"  name: {name}\n");
        sb.Append("  labels:\n");
        sb.Append($"    app.kubernetes.io/name: mmsim-sweep\n");
        sb.Append("spec:\n");
        sb.Append("  completionMode: Indexed\n");
        sb.Append($"  completions: {shards}\n");
        sb.Append($"  parallelism: {(parallelism > 0 ? Math.Min(parallelism, shards) : shards)}\n");
        // A failed index is retried on its own (Kubernetes >= 1.29); its rerun skips the cells already stored.
        sb.Append("  backoffLimitPerIndex: 3\n");
        sb.Append("  template:\n");
        sb.Append("    spec:\n");
        sb.Append("      restartPolicy: Never\n");
        sb.Append("      containers:\n");
        sb.Append("        - name: mmsim\n");
        sb.Append($"          image: {Q(image)}\n");
        sb.Append("          command: [").Append(string.Join(", ", cmd.Select(Q))).Append("]\n");
        sb.Append("          resources:\n");
        sb.Append("            requests:\n");
        sb.Append($"              cpu: \"{Math.Max(1, cpus)}\"\n");
        sb.Append("          volumeMounts:\n");
        sb.Append("            - name: sweep\n");
        sb.Append($"              mountPath: {Q(mount)}\n");
        sb.Append("      volumes:\n");
        sb.Append("        - name: sweep\n");
        sb.Append("          persistentVolumeClaim:\n");
        sb.Append($"            claimName: {Q(claim)}\n");
        return sb.ToString();
    }

    /// <summary>A YAML double-quoted string.</summary>
    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>An RFC 1123 label: lower-case letters, digits and '-', at most 63 characters.</summary>
    private static string DnsName(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        string r = sb.ToString().Trim('-');
        return r.Length > 63 ? r[..63].TrimEnd('-') : r;
    }
}
