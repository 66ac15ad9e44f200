using MmSim.Mm;
using MmSim.Paging;
using MmSim.Workloads;

namespace MmSim.Sched;

/// <summary>
/// Progress through the step being run, so a step can stop at the end of a time slice or at a major fault and
/// resume exactly where it was. Also the fault tally the step's summary event reports.
/// </summary>
internal sealed class StepCursor
{
    public Step? Step;
    public bool Started;
    /// <summary>Next unit of work (access number, byte offset, page index) and the end of the work.</summary>
    public long Position;
    public long End;
    public ulong Base;
    public long Stride;
    public long Pages;
    public AccessKind Kind;
    public long StartMinFlt, StartMajFlt, StartNs, StartAccesses;
    public readonly long[] FaultKinds = new long[16];
    public AccessGenerator Gen;
    /// <summary>Accesses of an access step drawn ahead of their turn (0..2), the next first: see
    /// <see cref="StepExecutor"/>'s DoAccess. Valid while <see cref="Gen"/> and the task's stream are not used
    /// otherwise, which only DoAccess does.</summary>
    public int Ahead;
    /// <summary>The drawn accesses, a ring of two: the next is at <see cref="AheadFirst"/>.</summary>
    public DrawnPair Drawn;
    public int AheadFirst;
    /// <summary>The read-ahead state of the file a read_file step opened.</summary>
    public PageCache.RaState? Ra;
    /// <summary>A trace step's open trace, whether the store of an M record is still to do (at <see cref="Base"/>),
    /// and the last VMAs its fetches and its data accesses fell in (to skip find_vma).</summary>
    public Cache.LackeyRecordReader? Trace;
    public bool PendingStore;
    public ulong CodeStart, CodeLen, DataStart, DataLen;

    public void Reset(Step? step)
    {
        Step = step;
        Started = false;
        Position = End = Stride = Pages = 0;
        Ahead = AheadFirst = 0;
        Base = 0;
        Ra = null;
        Trace?.Dispose();
        Trace = null;
        PendingStore = false;
        CodeStart = CodeLen = DataStart = DataLen = 0;
        Array.Clear(FaultKinds);
    }
}

/// <summary>An access drawn ahead of its turn: its page and write decision, and the random stream as it is once
/// the access is drawn (which the access takes over when its turn comes).</summary>
internal struct DrawnAccess
{
    public long Page;
    public bool Write;
    public Pcg32 Rng;

    /// <summary>Draws access number <paramref name="index"/> from a copy of <paramref name="rng"/>, in place
    /// (no struct copies on the hot path).</summary>
    public void Draw(in AccessGenerator gen, long index, in Pcg32 rng)
    {
        Rng = rng;
        Page = gen.Draw(index, ref Rng, out Write);
    }
}

[System.Runtime.CompilerServices.InlineArray(2)]
internal struct DrawnPair
{
    private DrawnAccess _first;
}
