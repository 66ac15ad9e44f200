namespace MmSim.Sched;

/// <summary>A kernel thread (kswapd, the flusher) run by the <see cref="Scheduler"/> on its own timeline.</summary>
public interface IKernelThread
{
    string Name { get; }
    /// <summary>Does one bounded piece of work at <paramref name="now"/>; returns when it wants to run again,
    /// or -1 to sleep until woken.</summary>
    long Run(long now);
    /// <summary>The CPU time the last <see cref="Run"/> took. A thread that reports it competes with the tasks for
    /// the CPUs when <c>machine.kswapd_cpu</c> is <c>shared</c>; 0 for work that needs no CPU (an I/O completion).</summary>
    long LastRunCpuNs => 0;
}
