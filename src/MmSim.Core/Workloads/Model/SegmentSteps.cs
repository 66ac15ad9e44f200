using MmSim.Segmentation;

namespace MmSim.Workloads;

/// <summary>One entry of a process's <c>segments:</c> list (segmentation): a segment the process has from the
/// start. With <see cref="Base"/> it is pinned there (a textbook table); without, the placement policy places it.
/// Under segmented paging there is no base: the segment's pages fault in lazily.</summary>
public sealed class SegmentSpec
{
    public int Id { get; set; }
    public long? Base { get; set; }
    /// <summary>The segment's length in bytes: offsets 0 to limit − 1 are valid.</summary>
    public long Limit { get; set; }
    public SegmentAccess Prot { get; set; } = SegmentAccess.Read | SegmentAccess.Write;
    public int Line { get; set; }
}

/// <summary>The steps of a process under a segmented translation (docs/scenario-format.md, "Segmentation").
/// <c>sleep</c>, <c>repeat</c> and <c>exit</c> are shared with the paging steps.</summary>
public static class SegmentStepKinds
{
    public const string Segment = "segment", Access = "access", Touch = "touch", Free = "free", Compact = "compact";

    public static readonly IReadOnlyList<string> All =
        [Segment, Access, Touch, Free, Compact, StepKinds.Sleep, StepKinds.Repeat, StepKinds.Exit];
}

/// <summary><c>segment: { id, size, prot }</c>: asks the kernel for a new segment of the process.</summary>
public sealed class SegmentStep : Step
{
    public override string Kind => SegmentStepKinds.Segment;
    public int Id { get; set; }
    public long SizeBytes { get; set; }
    public SegmentAccess Prot { get; set; } = SegmentAccess.Read | SegmentAccess.Write;
}

/// <summary><c>access: { segment, offset, write | exec, value }</c>: one access to (segment, offset). A write
/// stores <see cref="Value"/> in the byte.</summary>
public sealed class SegmentAccessStep : Step
{
    public override string Kind => SegmentStepKinds.Access;
    public int Segment { get; set; }
    public long Offset { get; set; }
    public SegmentAccess Access { get; set; } = SegmentAccess.Read;
    public byte Value { get; set; }
}

/// <summary><c>touch: { segment, write, stride }</c>: one access every <see cref="StrideBytes"/> (default the page
/// size) from offset 0 to the end of the segment.</summary>
public sealed class SegmentTouchStep : Step
{
    public override string Kind => SegmentStepKinds.Touch;
    public int Segment { get; set; }
    public bool Write { get; set; }
    public long StrideBytes { get; set; }
}

/// <summary><c>free: { segment }</c>: the process gives a segment back (its memory becomes a hole).</summary>
public sealed class SegmentFreeStep : Step
{
    public override string Kind => SegmentStepKinds.Free;
    public int Segment { get; set; }
}

/// <summary><c>compact</c>: the kernel slides every segment down to one end of memory, leaving one hole
/// (as <c>echo 1 &gt; /proc/sys/vm/compact_memory</c> asks Linux to compact).</summary>
public sealed class CompactStep : Step
{
    public override string Kind => SegmentStepKinds.Compact;
}
