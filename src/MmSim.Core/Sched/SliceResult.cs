namespace MmSim.Sched;

public enum SliceEnd : byte { Preempted, Blocked, Done }

/// <summary>How a time slice ended: at <see cref="EndNs"/>, preempted, blocked until <see cref="WakeNs"/>
/// (I/O or sleep), or with the task finished.</summary>
public readonly record struct SliceResult(SliceEnd End, long EndNs, long WakeNs);
