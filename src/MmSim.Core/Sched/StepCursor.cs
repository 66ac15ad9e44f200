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
    /// <summary>An access step's accesses, drawn ahead (see <see cref="AccessStream"/>).</summary>
    public AccessStream? Stream;
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
        Stream = null;
        Base = 0;
        Ra = null;
        Trace?.Dispose();
        Trace = null;
        PendingStore = false;
        CodeStart = CodeLen = DataStart = DataLen = 0;
        Array.Clear(FaultKinds);
    }
}
