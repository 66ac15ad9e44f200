using System.Runtime.CompilerServices;
using MmSim.Cache;
using MmSim.Machine;
using MmSim.Mm;
using MmSim.Paging;
using MmSim.Workloads;

namespace MmSim.Sched;

/// <summary>The <c>trace</c> step (a real program's lackey trace) and the CPU caches every access goes through.</summary>
public sealed partial class StepExecutor
{
    /// <summary>Granularity of the mappings a trace makes on first touch: one PMD (2 MiB).</summary>
    public const ulong TraceChunk = 2UL << 20;
    /// <summary>The stack mapping a trace makes: RLIMIT_STACK's default, 8 MiB, ending at the end of the 2 MiB
    /// chunk of the trace's first data access.</summary>
    public const ulong TraceStack = 8UL << 20;

    private CacheHierarchy? _caches;

    /// <summary>The machine's CPU caches (null = none: an access costs <c>latency.access</c>).</summary>
    public CacheHierarchy? Caches
    {
        get => _caches;
        set => _caches = value;
    }

    /// <summary>
    /// The time the memory access itself takes once translated: without caches <c>latency.access</c>; with caches
    /// the latency of the level that serves the physical address (frame of the PTE the MMU used, plus the offset),
    /// kept in picoseconds so that sub-ns L1 hits add up exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long MemoryNs(SimTask task, ulong addr, AccessKind kind)
    {
        var caches = _caches;
        if (caches is null) return _lat.AccessNs;
        var tally = task.Caches ??= new CacheTally(caches.Levels.Count);
        ulong phys = ((ulong)Pte.Pfn(_mmu.LastPte) << _k.PageShift) | (addr & (ulong)(_k.PageSize - 1));
        int served = caches.Serve(phys, kind == AccessKind.Write, kind == AccessKind.Exec, tally);
        long ps = tally.CarryPs + caches.CostPs(served);
        long ns = ps / 1000;
        tally.CarryPs = ps - ns * 1000;
        return ns;
    }

    /// <summary>The page walk after a TLB miss (counted in the process's cache tally when there is one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Walk(SimTask task)
    {
        if (TallyOf(task) is { } tally) tally.WalkNs += _walkNs;
        return _walkNs;
    }

    /// <summary>The process's cache tally, made on its first access; null without caches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private CacheTally? TallyOf(SimTask task) =>
        _caches is null ? null : task.Caches ??= new CacheTally(_caches.Levels.Count);

    /// <summary>
    /// Replays the trace: <c>I</c> an instruction fetch, <c>L</c> a load, <c>S</c> a store, <c>M</c> a load then a
    /// store of the same address; the size is ignored (an access touches the page and line of its first byte).
    /// Each access is a user access of this process: TLB, page walk, page fault, caches, as any other step's.
    /// </summary>
    private StepOutcome DoTrace(SimTask task, StepCursor c, TraceStep t, ref long now, long end)
    {
        if (!c.Started)
        {
            Start(task, c, now);
            c.Trace = TraceFiles.Open(t.ResolvedPath);
        }
        var reader = c.Trace!;
        while (true)
        {
            ulong addr;
            AccessKind kind;
            if (c.PendingStore)
            {
                c.PendingStore = false;
                addr = c.Base;
                kind = AccessKind.Write;
            }
            else
            {
                if (!reader.Next(out var r))
                {
                    reader.Dispose();
                    c.Trace = null;
                    return Finished;
                }
                addr = r.Address;
                switch (r.Op)
                {
                    case (byte)'I': kind = AccessKind.Exec; break;
                    case (byte)'L': kind = AccessKind.Read; break;
                    case (byte)'S': kind = AccessKind.Write; break;
                    default: kind = AccessKind.Read; c.PendingStore = true; c.Base = addr; break;
                }
            }
            if (!EnsureMapped(task, c, addr, kind, now)) return Finished;
            long wake = AccessOne(task, c, addr, kind, ref now);
            if (wake != 0) return wake < 0 ? Finished : new StepOutcome(false, wake);
            if (now >= end || _k.PreemptRequested) return Continue;
        }
    }

    /// <summary>Makes sure a mapping covers <paramref name="addr"/>; false when the process was killed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool EnsureMapped(SimTask task, StepCursor c, ulong addr, AccessKind kind, long now)
    {
        if (kind == AccessKind.Exec ? addr - c.CodeStart < c.CodeLen : addr - c.DataStart < c.DataLen) return true;
        return Lookup(task, c, addr, kind, now);
    }

    private bool Lookup(SimTask task, StepCursor c, ulong addr, AccessKind kind, long now)
    {
        var vma = task.Mm.FindVma(addr);
        if (vma is null)
        {
            // Below mmap_min_addr or outside user space: no mapping is made; the access faults (SIGSEGV).
            if (addr < MmStruct.MmapMinAddr || addr >= PagingLayout.TaskSizeMax) return true;
            vma = MapOnFirstTouch(task, addr, kind, now, ((TraceStep)c.Step!).File);
            if (vma is null) return false;
        }
        if (kind == AccessKind.Exec) { c.CodeStart = vma.Start; c.CodeLen = vma.Length; }
        else { c.DataStart = vma.Start; c.DataLen = vma.Length; }
        return true;
    }

    /// <summary>
    /// The mapping a trace address needs, made when first touched (the program's loader and malloc made it in
    /// reality; the trace does not say so): the 2 MiB-aligned chunk around the address, clipped to its neighbours.
    /// A chunk an instruction fetch touches first is "code": a private mapping of the program image, modelled as a
    /// file named after the trace and the chunk ("TRACE@0xADDR", shared by every process replaying the same trace,
    /// as processes running one binary share its text), so code is read from the disk through the page cache and
    /// written pages (.data next to .text) are copied on write. The first data access of the process's traces is
    /// taken to be the stack (a program's first data access pushes onto it): an 8 MiB grows-down anonymous
    /// mapping. Every other chunk is anonymous "heap". All are read-write-execute: a trace only holds accesses that
    /// succeeded, so no protection fault can be right.
    /// </summary>
    private Vma? MapOnFirstTouch(SimTask task, ulong addr, AccessKind kind, long now, string traceName)
    {
        var mm = task.Mm;
        bool stack = kind != AccessKind.Exec && !task.TraceStackMapped;
        string name = kind == AccessKind.Exec ? "code" : stack ? "stack" : "heap";
        ulong hi = (addr & ~(TraceChunk - 1)) + TraceChunk;
        ulong size = stack ? TraceStack : TraceChunk;
        ulong lo = hi > size ? hi - size : 0;
        foreach (var v in mm.Vmas)
        {
            if (v.End <= addr && v.End > lo) lo = v.End;
            if (v.Start > addr && v.Start < hi) hi = v.Start;
        }
        lo = Math.Max(lo, MmStruct.MmapMinAddr);
        hi = Math.Min(hi, PagingLayout.TaskSizeMax);
        var flags = VmFlags.Read | VmFlags.Write | VmFlags.Exec | (stack ? VmFlags.Growsdown : 0);
        PageCache.SimFile? image = null;
        if (kind == AccessKind.Exec)
        {
            // One file per (trace, chunk), as big as the chunk, so the mapping's pgoff is 0.
            string path = $"{traceName}@0x{lo:x}";
            if (!_k.FilesByPath.TryGetValue(path, out image))
            {
                image = new PageCache.SimFile(_k.Files.Count, path, (long)(hi - lo), _k.PageSize);
                _k.Files.Add(image);
                _k.FilesByPath[path] = image;
            }
            if ((ulong)image.SizeBytes < hi - lo) hi = lo + (ulong)image.SizeBytes;
        }
        var vma = _mmap.DoMmap(mm, name, hi - lo, flags, image, 0, lo, out var err);
        if (vma is null)
        {
            _k.Log.Add(now, EventTypes.Enomem, task.Pid, $"{task.Comm}: trace: mmap of {name} at 0x{lo:x} failed: {err}");
            Kill(task, now, "SIGSEGV", $"trace address 0x{addr:x} could not be mapped ({err})");
            return null;
        }
        if (stack) task.TraceStackMapped = true;
        _k.Log.Add(now, EventTypes.Step, task.Pid,
            $"{task.Comm}[{task.Pid}]: trace: {name} mapped at [0x{vma.Start:x}, 0x{vma.End:x}) on first touch of 0x{addr:x}");
        return vma;
    }
}
