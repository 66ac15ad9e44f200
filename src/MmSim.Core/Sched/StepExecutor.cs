using System.Runtime.CompilerServices;
using MmSim.Machine;
using MmSim.Mm;
using MmSim.PageCache;
using MmSim.Paging;
using MmSim.Physical;
using MmSim.Workloads;

namespace MmSim.Sched;

/// <summary>
/// Runs a task's scenario steps on the simulated CPU for one time slice. Each access goes through the
/// <see cref="Mmu"/>; a fault goes to the <see cref="FaultHandler"/>, and the access is retried as the CPU
/// restarts the instruction. A major fault or a sleep blocks the task; the slice ends when its time is used.
/// </summary>
public sealed partial class StepExecutor
{
    private readonly Kernel _k;
    private readonly Mmu _mmu;
    private readonly FaultHandler _faults;
    private readonly Mmap _mmap;
    private readonly Filemap _filemap;
    private readonly Readahead _readahead;
    private readonly LatencySpec _lat;
    private readonly long _walkNs;
    private readonly int _faultEventLimit;
    private long _faultEvents;

    public StepExecutor(Kernel kernel, Mmu mmu, FaultHandler faults, Mmap mmap, Filemap filemap, Readahead readahead,
        int faultEventLimit)
    {
        _readahead = readahead;
        _k = kernel;
        _mmu = mmu;
        _faults = faults;
        _mmap = mmap;
        _filemap = filemap;
        _lat = kernel.Latency;
        _walkNs = mmu.Levels * _lat.TlbMissPerLevelNs;
        _faultEventLimit = faultEventLimit;
    }

    /// <summary>Accesses executed so far, across tasks (for progress reports).</summary>
    public long TotalAccesses;

    public SliceResult RunSlice(SimTask task, long startNs, long sliceNs, int cpu = 0)
    {
        long now = startNs;
        _k.PreemptRequested = false;
        _k.Current = task;
        _k.CurrentCpu = cpu;
        long end = startNs + sliceNs;
        while (true)
        {
            var c = task.Cursor;
            if (c.Step is null)
            {
                var next = NextStep(task);
                if (next is null)
                {
                    task.State = TaskState.Holding;
                    task.EndNs = now;
                    _k.Log.Add(now, EventTypes.Step, task.Pid, $"{task.Comm}[{task.Pid}] finished its steps and stays alive (no exit step)");
                    return Done(task, startNs, now);
                }
                c.Reset(next);
            }
            var outcome = Execute(task, c, ref now, end);
            if (task.IsDone) return Done(task, startNs, now);
            if (outcome.Finished)
            {
                if (c.Started) StepSummary(task, c, now);
                c.Reset(null);
            }
            if (outcome.WakeNs > 0)
            {
                _k.Memcg?.Tracker.Blocked(task, now, outcome.WakeNs); // PSI: off the run queue
                task.CpuNs += now - startNs;
                return new SliceResult(SliceEnd.Blocked, now, outcome.WakeNs);
            }
            if (now >= end || _k.PreemptRequested)
            {
                task.CpuNs += now - startNs;
                return new SliceResult(SliceEnd.Preempted, now, 0);
            }
        }
    }

    private static SliceResult Done(SimTask task, long startNs, long now)
    {
        task.CpuNs += now - startNs;
        return new SliceResult(SliceEnd.Done, now, 0);
    }

    private static Step? NextStep(SimTask task)
    {
        while (task.Program.Count > 0)
        {
            var f = task.Program.Peek();
            if (f.Index < f.Steps.Count) return f.Steps[f.Index++];
            if (--f.Remaining > 0) { f.Index = 0; continue; }
            task.Program.Pop();
        }
        return null;
    }

    private readonly record struct StepOutcome(bool Finished, long WakeNs);
    private static readonly StepOutcome Finished = new(true, 0);
    private static readonly StepOutcome Continue = new(false, 0);

    private StepOutcome Execute(SimTask task, StepCursor c, ref long now, long end)
    {
        _k.Now = now;
        switch (c.Step)
        {
            case AllocStep a: return DoAlloc(task, a, ref now);
            case TouchStep t: return DoTouch(task, c, t, ref now, end);
            case AccessStep a: return DoAccess(task, c, a, ref now, end);
            case MapFileStep m: return DoMapFile(task, m, ref now);
            case ReadFileStep r: return DoReadFile(task, c, r.Path, r.OffsetBytes, r.SizeBytes, false, ref now, end);
            case WriteFileStep w: return DoReadFile(task, c, w.Path, w.OffsetBytes, w.SizeBytes, true, ref now, end);
            case FreeStep f: return DoFree(task, f, ref now);
            case SleepStep s:
                if (c.Started) return Finished;
                c.Started = true;
                task.SleepNs += s.DurationNs;
                task.SleepUntilNs = now + s.DurationNs;
                return new StepOutcome(false, now + s.DurationNs);
            case RepeatStep r:
                if (r.Times > 0) task.Program.Push(new ProgramFrame(r.Steps, r.Times));
                return Finished;
            case MlockStep m: return DoMlock(task, c, m, ref now, end);
            case TraceStep t: return DoTrace(task, c, t, ref now, end);
            case ForkStep f:
                now += _lat.SyscallNs * 20;
                if (OnFork?.Invoke(task, f, now) is null)
                    _k.Log.Add(now, EventTypes.Enomem, task.Pid, $"{task.Comm}[{task.Pid}]: fork failed: ENOMEM");
                return Finished;
            case ExitStep:
                Exit(task, now, "exit", null);
                return Finished;
            default:
                throw new InputException(task.Spec.Line > 0 ? "scenario" : "scenario", c.Step!.Line,
                    $"step {c.Step.GetType().Name} is not supported by the simulator yet");
        }
    }

    private StepOutcome DoAlloc(SimTask task, AllocStep a, ref long now)
    {
        now += _lat.SyscallNs;
        var flags = ToVmFlags(a.Prot);
        var vma = _mmap.DoMmap(task.Mm, a.Name, (ulong)a.SizeBytes, flags, null, 0, 0, out var err);
        if (vma is null)
        {
            _k.Log.Add(now, EventTypes.Enomem, task.Pid,
                $"mmap of {Units.FormatSize(a.SizeBytes)} for '{a.Name}' failed: {err} (vm.overcommit_memory={_k.Vm.OvercommitMemory})");
            return Finished;
        }
        vma.TailWaste += (ulong)(-a.SizeBytes & (_k.PageSize - 1));
        task.Regions[a.Name] = vma;
        return Finished;
    }

    private StepOutcome DoMapFile(SimTask task, MapFileStep m, ref long now)
    {
        now += _lat.SyscallNs;
        var file = _k.FilesByPath[m.Path];
        long offset = m.OffsetBytes & ~((long)_k.PageSize - 1);
        long length = m.LengthBytes ?? Math.Max(0, file.SizeBytes - offset);
        var flags = ToVmFlags(m.Prot) | (m.Shared ? VmFlags.Shared : 0);
        var vma = _mmap.DoMmap(task.Mm, m.Name, (ulong)length, flags, file, offset / _k.PageSize, 0, out var err);
        if (vma is null)
        {
            _k.Log.Add(now, EventTypes.Enomem, task.Pid, $"mmap of {m.Path} failed: {err}");
            return Finished;
        }
        vma.TailWaste += (ulong)(-length & (_k.PageSize - 1));
        task.Regions[m.Name] = vma;
        return Finished;
    }

    private StepOutcome DoFree(SimTask task, FreeStep f, ref long now)
    {
        now += _lat.SyscallNs;
        if (task.Regions.Remove(f.Region, out var vma))
        {
            Contents?.Unmap(task.Mm, vma.Start, vma.End);
            _mmap.Unmap(task.Mm, vma);
        }
        return Finished;
    }

    private static VmFlags ToVmFlags(Prot p) =>
        ((p & Prot.Read) != 0 ? VmFlags.Read : 0) | ((p & Prot.Write) != 0 ? VmFlags.Write : 0) |
        ((p & Prot.Exec) != 0 ? VmFlags.Exec : 0);

    private Vma? Region(SimTask task, string name, ref long now)
    {
        if (task.Regions.TryGetValue(name, out var vma)) return vma;
        // The region's mmap failed earlier (an ENOMEM event says so): the program would have crashed on NULL.
        Kill(task, now, "SIGSEGV", $"uses region '{name}', whose allocation failed");
        return null;
    }

    private StepOutcome DoTouch(SimTask task, StepCursor c, TouchStep t, ref long now, long end)
    {
        if (!c.Started)
        {
            var vma = Region(task, t.Region, ref now);
            if (vma is null) return Finished;
            Start(task, c, now);
            c.Base = vma.Start + (ulong)t.OffsetBytes;
            long len = t.LengthBytes ?? (long)vma.Length - t.OffsetBytes;
            c.Position = 0;
            c.End = Math.Max(0, len);
            c.Stride = t.StrideBytes > 0 ? t.StrideBytes : _k.PageSize;
            c.Kind = t.Write ? AccessKind.Write : AccessKind.Read;
        }
        long think = t.ThinkNs;
        while (c.Position < c.End)
        {
            ulong addr = c.Base + (ulong)c.Position;
            c.Position += c.Stride;
            now += think;
            long wake = AccessOne(task, c, addr, c.Kind, ref now);
            if (wake != 0) return wake < 0 ? Finished : new StepOutcome(false, wake);
            if (now >= end || _k.PreemptRequested) return Continue;
        }
        return Finished;
    }

    private StepOutcome DoAccess(SimTask task, StepCursor c, AccessStep a, ref long now, long end)
    {
        if (!c.Started)
        {
            Start(task, c, now);
            c.Position = 0;
            c.End = a.Count;
            c.Stream = null;
            if (a.Region is not null)
            {
                var vma = Region(task, a.Region, ref now);
                if (vma is null) return Finished;
                c.Base = vma.Start;
                c.Pages = vma.PageCount(_k.PageShift);
                c.Stream = new AccessStream(new AccessGenerator(a, c.Pages), task.Rng, a.Count);
            }
            else
            {
                c.Base = a.Address!.Value;
                c.Pages = 1;
            }
        }
        var stream = c.Stream;
        int shift = _k.PageShift;
        while (c.Position < c.End)
        {
            ulong addr = c.Base;
            bool write = a.Write;
            if (stream is not null)
            {
                long page = stream.Next(out bool w);
                addr = c.Base + ((ulong)page << shift);
                write |= w;
                if (c.Position + 1 == c.End) task.Rng = stream.FinalRng(); // the process's stream goes on from there
                PrefetchAhead(task.Mm, c.Base, stream);
            }
            var kind = a.Exec ? AccessKind.Exec : write ? AccessKind.Write : AccessKind.Read;
            c.Position++;
            now += a.ThinkNs;
            long wake = AccessOne(task, c, addr, kind, ref now);
            if (wake != 0) return wake < 0 ? Finished : new StepOutcome(false, wake);
            if (now >= end || _k.PreemptRequested) return Continue;
        }
        return Finished;
    }

    /// <summary>How far ahead (in accesses) <see cref="PrefetchAhead"/> asks for a PTE, and reads one to ask for
    /// what is behind it. An access that translates without a fault takes less than one memory latency, so the
    /// distances span a few of them.</summary>
    private const int PteAhead = 8, TargetAhead = 4;

    /// <summary>
    /// Prefetches for the accesses already drawn after this one: the PTE of the one <see cref="PteAhead"/> on, and
    /// for the one <see cref="TargetAhead"/> on (whose PTE was asked for earlier) its frame on a write or its swap
    /// slot. This turns the dependent cache misses of each access (PTE, then frame or swap slot) into misses in
    /// flight while earlier accesses run. Reads only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchAhead(MmStruct mm, ulong regionBase, AccessStream stream)
    {
        int shift = _k.PageShift;
        if (stream.TryPeek(PteAhead, out long pteNext, out _)) _mmu.PrefetchPte(mm, regionBase + ((ulong)pteNext << shift));
        if (stream.TryPeek(TargetAhead, out long next, out bool write))
            PrefetchTarget(mm, regionBase + ((ulong)next << shift), write);
    }

    /// <summary>Prefetches what the access to <paramref name="address"/> will touch behind its PTE: a present
    /// page's frame when it writes, a swapped-out page's swap slot. Reads only.</summary>
    private void PrefetchTarget(MmStruct mm, ulong address, bool write)
    {
        int table = _mmu.LeafTable(mm, address, out int slot);
        if (table < 0) return;
        ulong pte = _k.Tables.Entry(table, slot);
        if ((pte & Pte.Present) != 0)
        {
            if (write && (pte & Pte.Special) == 0) _k.Phys.PrefetchFrame(Pte.Pfn(pte));
        }
        else if (Pte.IsSwap(pte)) _k.Swap.Prefetch((int)Pte.Pfn(pte));
    }

    /// <summary>
    /// One access: 0 when done, a wake-up time when the task blocked on I/O, -1 when the task died.
    /// </summary>
    private long AccessOne(SimTask task, StepCursor c, ulong addr, AccessKind kind, ref long now)
    {
        task.Accesses++;
        TotalAccesses++;
        int token = kind == AccessKind.Write ? ++task.WriteSeq : 0;
        int r = _mmu.Access(task.Mm, addr, kind, token);
        if (r == Mmu.TlbHit) { Contents?.Observe(task, addr, kind, token, _mmu.LastPte); now += MemoryNs(task, addr, kind); return 0; }
        if (r == Mmu.Walked) { Contents?.Observe(task, addr, kind, token, _mmu.LastPte); now += MemoryNs(task, addr, kind) + Walk(task); return 0; }

        _k.Now = now;
        long refaults = _k.Memcg?.WorkingsetRefaults ?? 0; // memcg issue: PSI of a thrashing refault
        var fr = _faults.Handle(task.Mm, addr, kind);
        now = Math.Max(now, _k.Now); // direct reclaim stalls the task
        if (task.IsDone) return -1;  // the OOM killer chose this very task
        if (fr.IsError)
        {
            FaultDeath(task, addr, kind, fr, now);
            return -1;
        }
        now += _lat.MinorFaultNs;
        if (TallyOf(task) is { } tally) tally.FaultNs += _lat.MinorFaultNs;
        if (fr.Outcome == FaultOutcome.Major) task.MajFlt++; else task.MinFlt++;
        c.FaultKinds[(int)fr.Kind]++;
        if (_faultEventLimit > 0 && _faultEvents < _faultEventLimit)
        {
            _faultEvents++;
            _k.Log.Add(now, EventTypes.Fault, task.Pid, DescribeFault(addr, kind, fr));
        }
        // The CPU restarts the instruction: this time it translates.
        if (_mmu.Access(task.Mm, addr, kind, token) != Mmu.Fault) Contents?.Observe(task, addr, kind, token, _mmu.LastPte);
        now += MemoryNs(task, addr, kind) + Walk(task);
        if (task.MemcgNrPagesOverHigh != 0 && _k.Memcg is { } mc)
        {
            // memcg issue: memory.high is handled on the return to user space (resume_user_mode_work →
            // mem_cgroup_handle_over_high, whenever memcg_nr_pages_over_high is non-zero: a charge that walked the
            // counters over memory.high added its whole batch of 64 pages).
            long throttled = mc.HandleOverHigh(task, ref now);
            if (task.IsDone) return -1;
            if (throttled > 0) return fr.Outcome == FaultOutcome.Major ? Math.Max(throttled, now + fr.IoNs) : throttled;
        }
        if (fr.Outcome == FaultOutcome.Major)
        {
            if (_k.Memcg is { } psi && psi.WorkingsetRefaults != refaults)
                psi.Tracker.Stall(task, now, now + fr.IoNs, running: false); // waiting on its own working set
            task.IoWaitNs += fr.IoNs;
            return now + fr.IoNs;
        }
        return 0;
    }

    private static string DescribeFault(ulong addr, AccessKind kind, FaultResult fr)
    {
        string what = fr.Kind switch
        {
            FaultKind.AnonZeroFill => "anonymous page, zero-filled",
            FaultKind.AnonZeroPage => "mapped the shared zero page",
            FaultKind.CowZeroPage => "copy-on-write of the zero page",
            FaultKind.CowFile => "copy-on-write of a file page",
            FaultKind.CowAnon => "copy-on-write of an anonymous page",
            FaultKind.Reuse => "write-protect fault, page reused",
            FaultKind.FileRead => fr.Outcome == FaultOutcome.Major ? $"file page read from disk ({fr.PagesRead} pages read)" : "file page found in the page cache",
            FaultKind.FileShared => "shared file page made writable",
            _ => "spurious",
        };
        string mm = fr.Outcome == FaultOutcome.Major ? "major" : "minor";
        return $"{mm} fault at 0x{addr:x} ({kind.ToString().ToLowerInvariant()}): {what}";
    }

    private void FaultDeath(SimTask task, ulong addr, AccessKind kind, FaultResult fr, long now)
    {
        if (fr.Outcome == FaultOutcome.Oom)
        {
            _k.Log.Add(now, EventTypes.AllocFail, task.Pid,
                $"{task.Comm}: page allocation failure: order:0, mode:0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO) " +
                "(no free page above the min watermark; reclaim is not modelled yet)");
            Kill(task, now, "SIGKILL", "out of memory: a page fault could not get a page");
            return;
        }
        if (fr.Outcome == FaultOutcome.SegvNonCanonical)
        {
            // arch/x86/kernel/traps.c, do_general_protection → show_signal
            _k.Log.Add(now, EventTypes.Segv, task.Pid,
                $"traps: {task.Comm}[{task.Pid}] general protection fault ip:0 sp:0 error:0 (non-canonical address 0x{addr:x})");
            Kill(task, now, "SIGSEGV", $"general protection fault: non-canonical address 0x{addr:x}");
            return;
        }
        // arch/x86/mm/fault.c show_signal_msg; error code bits: 1 protection, 2 write, 4 user, 16 fetch.
        int error = 4 | (kind == AccessKind.Write ? 2 : 0) | (kind == AccessKind.Exec ? 16 : 0) |
                    (fr.Outcome == FaultOutcome.SegvAccErr ? 1 : 0);
        string why = fr.Outcome switch
        {
            FaultOutcome.SegvKernel => "user-mode access to kernel space",
            FaultOutcome.SegvAccErr => $"{kind.ToString().ToLowerInvariant()} not allowed by the mapping (SEGV_ACCERR)",
            _ => "no mapping at this address (SEGV_MAPERR)",
        };
        _k.Log.Add(now, EventTypes.Segv, task.Pid, $"{task.Comm}[{task.Pid}]: segfault at {addr:x} ip 0000000000000000 sp 0000000000000000 error {error:x} ({why})");
        Kill(task, now, "SIGSEGV", why);
    }

    /// <summary>
    /// read() / write() through the page cache (filemap_read, generic_perform_write). A read that misses starts
    /// synchronous read-ahead and waits; reaching a PG_readahead page starts the next window without waiting; a
    /// page still under I/O is waited for. Each page copied is marked accessed (folio_mark_accessed). A write of
    /// a whole page needs no read; it dirties the page.
    /// </summary>
    private StepOutcome DoReadFile(SimTask task, StepCursor c, string path, long offset, long size, bool write, ref long now, long end)
    {
        var file = _k.FilesByPath[path];
        if (!c.Started)
        {
            Start(task, c, now);
            now += _lat.SyscallNs;
            c.Position = offset / _k.PageSize;
            c.End = Math.Min(file.Pages, (offset + size + _k.PageSize - 1) / _k.PageSize);
            c.Ra = new RaState();
        }
        var ra = c.Ra!;
        long io = _lat.MajorFaultNs;
        while (c.Position < c.End)
        {
            long idx = c.Position;
            int pfn = _filemap.Find(file, idx);
            if (pfn < 0)
            {
                _k.Now = now;
                long got = write ? (_filemap.AddPage(file, idx) < 0 ? -1 : 1)
                                 : _readahead.SyncRead(ra, file, idx, c.End - idx, now);
                now = Math.Max(now, _k.Now);
                if (task.IsDone) return Finished;
                if (got < 0)
                {
                    _k.Log.Add(now, EventTypes.AllocFail, task.Pid, $"{task.Comm}: page allocation failure: order:0 (page cache; reclaim is not modelled yet)");
                    Kill(task, now, "SIGKILL", "out of memory: the page cache could not get a page");
                    return Finished;
                }
                pfn = _filemap.Find(file, idx);
            }
            else if (!write)
            {
                // filemap_read holds its pages across the read-ahead it starts.
                _k.Pin(pfn);
                _readahead.AsyncRead(ra, file, idx, c.End - idx, pfn, now);
                _k.Unpin(pfn);
            }
            long ready = file.ReadyAt(idx, now);
            if (ready > now)
            {
                task.IoWaitNs += ready - now;
                return new StepOutcome(false, ready);
            }
            _k.Lru.MarkPageAccessed(pfn);
            long pause = 0;
            if (write)
            {
                _k.Frames[pfn].Content = ++task.WriteSeq;
                _k.Writeback!.MarkDirty(pfn, now);
                pause = _k.Writeback.BalanceDirtyPages(now);
            }
            ra.PrevIndex = idx;
            now += _lat.AccessNs;
            c.Position++;
            if (pause > 0)
            {
                // balance_dirty_pages: the writer sleeps until writeback catches up.
                task.IoWaitNs += pause;
                task.DirtyThrottledNs += pause;
                return new StepOutcome(false, now + pause);
            }
            if (now >= end || _k.PreemptRequested) return Continue;
        }
        return Finished;
    }

    /// <summary>mlock: VM_LOCKED, then populate (faulting every page in, writes for a private writable mapping,
    /// as populate_vma_page_range does); the pages become unevictable.</summary>
    private StepOutcome DoMlock(SimTask task, StepCursor c, MlockStep m, ref long now, long end)
    {
        if (!c.Started)
        {
            var vma = Region(task, m.Region, ref now);
            if (vma is null) return Finished;
            Start(task, c, now);
            now += _lat.SyscallNs;
            if ((vma.Flags & VmFlags.Locked) == 0)
            {
                vma.Flags |= VmFlags.Locked;
                task.Mm.LockedVm += vma.PageCount(_k.PageShift);
            }
            c.Base = vma.Start;
            c.Position = 0;
            c.End = (long)vma.Length;
            c.Stride = _k.PageSize;
            c.Kind = (vma.Flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write ? AccessKind.Write : AccessKind.Read;
        }
        while (c.Position < c.End)
        {
            ulong addr = c.Base + (ulong)c.Position;
            c.Position += c.Stride;
            long wake = AccessOne(task, c, addr, c.Kind, ref now);
            if (wake < 0) return Finished;
            MlockPage(task.Mm, addr);
            if (wake > 0) return new StepOutcome(false, wake);
            if (now >= end || _k.PreemptRequested) return Continue;
        }
        return Finished;
    }

    private void MlockPage(MmStruct mm, ulong addr)
    {
        var ops = new PageTableOps(_k);
        int table = ops.Walk(mm, addr, out int slot);
        if (table < 0) return;
        ulong pte = _k.Tables[table][slot];
        if ((pte & Pte.Present) == 0 || (pte & Pte.Special) != 0) return;
        int pfn = (int)Pte.Pfn(pte);
        ref var f = ref _k.Frames[pfn];
        if ((f.Flags & (uint)FrameFlags.Mlocked) != 0) return;
        f.Flags |= (uint)(FrameFlags.Mlocked | FrameFlags.Unevictable);
        _k.Events.Inc(VmEvent.unevictable_pgs_mlocked);
        if (_k.Lru.OnLru(pfn)) { _k.Lru.Remove(pfn); _k.Lru.Add(pfn); }
    }

    private static void Start(SimTask task, StepCursor c, long now)
    {
        c.Started = true;
        c.StartMinFlt = task.MinFlt;
        c.StartMajFlt = task.MajFlt;
        c.StartNs = now;
        c.StartAccesses = task.Accesses;
    }

    private void StepSummary(SimTask task, StepCursor c, long now)
    {
        long min = task.MinFlt - c.StartMinFlt, maj = task.MajFlt - c.StartMajFlt;
        string what = c.Step switch
        {
            TouchStep t => $"touch {t.Region} ({(t.Write ? "write" : "read")})",
            AccessStep a => a.Region is null ? $"access 0x{a.Address:x}" : $"access {a.Region} ({a.Pattern.ToString().ToLowerInvariant()}, {a.Count} accesses)",
            ReadFileStep r => $"read_file {r.Path}",
            WriteFileStep w => $"write_file {w.Path}",
            MlockStep m => $"mlock {m.Region}",
            TraceStep tr => $"trace {tr.File} ({task.Accesses - c.StartAccesses} accesses)",
            SleepStep s => $"sleep {Units.FormatTime(s.DurationNs)}",
            _ => c.Step?.GetType().Name ?? "step",
        };
        if (c.Step is SleepStep) return;
        var kinds = new List<string>();
        void K(FaultKind k, string label) { if (c.FaultKinds[(int)k] > 0) kinds.Add($"{c.FaultKinds[(int)k]} {label}"); }
        K(FaultKind.AnonZeroFill, "zero-fill");
        K(FaultKind.AnonZeroPage, "zero-page");
        K(FaultKind.CowZeroPage, "copy-on-write of the zero page");
        K(FaultKind.CowFile, "copy-on-write of file pages");
        K(FaultKind.CowAnon, "copy-on-write of anonymous pages");
        K(FaultKind.FileRead, "file");
        K(FaultKind.FileShared, "shared-file write");
        string detail = kinds.Count > 0 ? $" [{string.Join(", ", kinds)}]" : "";
        _k.Log.Add(now, EventTypes.Step, task.Pid,
            $"{what}: {min} minor, {maj} major faults{detail} in {Units.FormatTime(now - c.StartNs)}");
    }

    /// <summary>Ends a task with a signal (SIGSEGV, SIGKILL); its memory is freed as at exit.</summary>
    public void Kill(SimTask task, long now, string signal, string reason)
    {
        task.Signal = signal;
        task.Reason = reason;
        _k.Log.Add(now, EventTypes.Killed, task.Pid, $"{task.Comm}[{task.Pid}] killed by {signal}: {reason}");
        Teardown(task, now, TaskState.Killed);
    }

    private void Exit(SimTask task, long now, string how, string? _)
    {
        _k.Log.Add(now, EventTypes.Exit, task.Pid,
            $"{task.Comm}[{task.Pid}] exited: {task.MinFlt} minor and {task.MajFlt} major faults, VmHWM {task.Mm.HiwaterRss * (_k.PageSize / 1024)} kB");
        Teardown(task, now, TaskState.Exited);
    }

    /// <summary>Creates the child of a fork step (set by the machine); null when fork fails.</summary>
    public Func<SimTask, ForkStep, long, SimTask?>? OnFork;
    /// <summary>The content check (<see cref="MachineOptions.CheckContents"/>), or null.</summary>
    public ContentShadow? Contents;

    /// <summary>Final figures are kept for the report; then exit_mmap and the kernel stack are freed.</summary>
    public Action<SimTask>? BeforeTeardown;

    private void Teardown(SimTask task, long now, TaskState state)
    {
        BeforeTeardown?.Invoke(task);
        task.Cursor.Trace?.Dispose();
        task.Cursor.Trace = null;
        // Killed after its last step: it was holding its memory asleep (the twin's executor waits in read()).
        if (task.State == TaskState.Holding && task.EndNs >= 0 && now > task.EndNs) task.SleepNs += now - task.EndNs;
        task.State = state;
        task.EndNs = now;
        // Killed while waiting for a CPU: it waited until now. Killed in an (interruptible) sleep: it slept until now.
        if (task.Queued) task.RunDelayNs += now - task.ReadySinceNs;
        task.Queued = false;
        if (task.SleepUntilNs > now) task.SleepNs -= task.SleepUntilNs - now;
        task.SleepUntilNs = 0;
        _mmap.ExitMmap(task.Mm);
        task.Regions.Clear();
        foreach (int pfn in task.KernelStack) _k.FreePage(pfn);
        _k.NrKernelStackKb -= task.KernelStack.Length * (_k.PageSize / 1024);
        task.KernelStack = [];
    }
}
