namespace MmSim.Segmentation;

/// <summary>Event kinds of the segmented machine, as they appear in reports (with the shared start, exit, segv,
/// alloc_fail and killed of <see cref="Machine.EventTypes"/>).</summary>
public static class SegEventTypes
{
    public const string Segment = "segment";
    /// <summary>One <c>access</c> step translated: (segment, offset) and the physical address.</summary>
    public const string Access = "access";
    public const string Free = "free";
    public const string Compact = "compact";
    public const string SwapOut = "swap_out";
    public const string SwapIn = "swap_in";
    public const string PageFault = "page_fault";
    public const string Step = "step";
}
