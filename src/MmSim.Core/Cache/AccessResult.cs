namespace MmSim.Cache;

/// <summary>What one access did to one cache.</summary>
[Flags]
public enum AccessResult : byte
{
    None = 0,
    Hit = 1,
    Miss = 2,
    /// <summary>A valid line was replaced.</summary>
    Eviction = 4,
    /// <summary>The replaced line was dirty (written back; write-back only).</summary>
    DirtyEviction = 8,
}
