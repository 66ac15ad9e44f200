namespace MmSim.Segmentation;

/// <summary>How a variable-partition allocator picks a hole (Knuth TAOCP 2.5; the textbook's four).</summary>
public enum FitPolicy
{
    /// <summary>The lowest-addressed hole that is big enough.</summary>
    FirstFit,
    /// <summary>As first fit, but the search starts where the last allocation ended and wraps around.</summary>
    NextFit,
    /// <summary>The smallest hole that is big enough (ties: lowest address).</summary>
    BestFit,
    /// <summary>The largest hole (ties: lowest address).</summary>
    WorstFit,
}
