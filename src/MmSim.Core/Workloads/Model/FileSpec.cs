namespace MmSim.Workloads;

/// <summary>One entry of <c>files:</c>, a regular file that exists on the disk before the scenario starts
/// (not in the page cache).</summary>
public sealed class FileSpec
{
    /// <summary>Absolute path, unique within the scenario.</summary>
    public string Path { get; set; } = "";

    public long SizeBytes { get; set; }

    public int Line { get; set; }
}
