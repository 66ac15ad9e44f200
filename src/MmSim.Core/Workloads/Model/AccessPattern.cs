namespace MmSim.Workloads;

/// <summary>How an <see cref="AccessStep"/> chooses pages; see <see cref="AccessGenerator"/> for the exact rules.</summary>
public enum AccessPattern
{
    Sequential,
    Random,
    Zipf,
}
