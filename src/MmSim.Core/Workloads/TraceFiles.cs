using System.Reflection;
using MmSim.Cache;

namespace MmSim.Workloads;

/// <summary>
/// Finds the trace file a <c>trace</c> step names: an absolute path as is; a relative one beside the scenario file
/// (then the current directory); for a built-in scenario, a trace shipped inside the binary (Workloads/Builtin/traces,
/// resources "traces/NAME").
/// </summary>
public static class TraceFiles
{
    public const string BuiltinPrefix = "builtin:";
    private const string ResourcePrefix = "traces/";
    private static readonly Assembly Assembly = typeof(TraceFiles).Assembly;

    /// <summary>The path (or "builtin:NAME") of the trace, or null when there is none.</summary>
    public static string? Resolve(string file, string scenarioSource)
    {
        if (Path.IsPathRooted(file)) return File.Exists(file) ? file : null;
        string? dir = Path.GetDirectoryName(scenarioSource);
        string beside = string.IsNullOrEmpty(dir) ? file : Path.Combine(dir, file);
        if (File.Exists(beside)) return beside;
        if (File.Exists(file)) return file;
        string name = Path.GetFileName(file);
        if (Assembly.GetManifestResourceInfo(ResourcePrefix + name) is not null) return BuiltinPrefix + name;
        return null;
    }

    public static string Describe(string file, string scenarioSource)
    {
        string? dir = Path.GetDirectoryName(scenarioSource);
        return $"at {(string.IsNullOrEmpty(dir) ? file : Path.Combine(dir, file))}, in the current directory and among the built-in traces";
    }

    /// <summary>Opens a resolved trace for reading (a .gz is decompressed).</summary>
    public static LackeyRecordReader Open(string resolved)
    {
        if (!resolved.StartsWith(BuiltinPrefix, StringComparison.Ordinal)) return LackeyRecordReader.Open(resolved);
        string name = resolved[BuiltinPrefix.Length..];
        Stream s = Assembly.GetManifestResourceStream(ResourcePrefix + name)
                   ?? throw new InputException(resolved, 0, "no such built-in trace");
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            s = new System.IO.Compression.GZipStream(s, System.IO.Compression.CompressionMode.Decompress);
        return new LackeyRecordReader(s, "traces/" + name);
    }
}
