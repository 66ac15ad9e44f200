using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MmSim.Workloads;

/// <summary>
/// The accesses of one access step, drawn ahead of the simulation into a ring: a pure function of the generator
/// and the process's random stream, so drawing them early changes nothing but where the work is done. A long step
/// (<see cref="ParallelThreshold"/> accesses or more, on a machine with more than one core) has them drawn on a
/// thread of its own while the simulation runs on its own: Zipf's rejection-inversion costs a log and an exp per
/// draw, about a sixth of a simulated access. Whoever finds the ring empty draws the next ones itself, so the
/// simulation never waits for a worker that is not running. Entries are <c>page &lt;&lt; 1 | write</c>.
/// <para>The consumer is one thread (the simulation's); drawing is done by one thread at a time (the lock
/// <c>_owner</c>), which owns the generator and the random stream while it draws. A step left unfinished (its
/// process killed) leaves its worker asleep until it sees the consumer idle, then it ends.</para>
/// </summary>
public sealed class AccessStream
{
    /// <summary>Accesses a step must have to be drawn by a worker thread.</summary>
    public const long ParallelThreshold = 1 << 18;
    private const int MaxRing = 1 << 14; // 128 KiB: stays in the consumer's L2
    private const int Chunk = 64;        // entries published at once (one store to the shared counter)

    private readonly long[] _ring;
    private readonly int _mask;
    private readonly long _total;
    private readonly bool _parallel;
    private AccessGenerator _gen; // owned by the drawing thread
    private Pcg32 _rng;           // owned by the drawing thread: the stream after the last entry drawn
    private int _owner;           // 1 while a thread draws
    private int _worker;          // 1 while a worker thread runs
    private int _waiting;         // 1 while it sleeps on _space
    private readonly ManualResetEventSlim _space = new(false, spinCount: 1);
    private static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(2);

    private Shared _shared;       // written by the drawing thread, read by the consumer (own cache lines)
    private long _consumed;       // consumer only
    private long _available;      // consumer's copy of _shared.Produced

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Shared
    {
        [FieldOffset(64)] public long Produced;
        [FieldOffset(128)] public long Consumed; // the consumer's progress, as the workers see it
    }

    /// <summary>A stream of <paramref name="total"/> accesses from <paramref name="gen"/>, drawing from
    /// <paramref name="rng"/> onwards.</summary>
    public AccessStream(in AccessGenerator gen, in Pcg32 rng, long total, bool? parallel = null)
    {
        _gen = gen;
        _rng = rng;
        _total = total;
        int size = (int)Math.Min(MaxRing, Math.Max(Chunk, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, total))));
        _ring = new long[size];
        _mask = size - 1;
        _parallel = parallel ?? (total >= ParallelThreshold && Environment.ProcessorCount > 1);
    }

    public long Total => _total;
    public bool Parallel => _parallel;

    /// <summary>The next access: its page and whether it writes. Call at most <see cref="Total"/> times.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Next(out bool write)
    {
        if (_consumed == _available) Refill();
        long e = _ring[(int)_consumed & _mask];
        _consumed++;
        if (_parallel)
        {
            // The worker wrote the ring's lines on its own core: ask for the line a chunk ahead now, so that
            // reading it does not wait for the transfer. Every eighth entry begins a line.
            if ((_consumed & 7) == 0) PrefetchEntry(_consumed + Chunk);
            if ((_consumed & (Chunk * 16 - 1)) == 0) Publish();
        }
        write = (e & 1) != 0;
        return e >> 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void PrefetchEntry(long i)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ring), (int)i & _mask)));
    }

    /// <summary>The page of the access <paramref name="ahead"/> after the next one's predecessor (1 = the next
    /// one), if it is already drawn: for prefetching only. Draws nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPeek(int ahead, out long page, out bool write)
    {
        long i = _consumed + ahead - 1;
        if (i >= _available && (i >= _total || i >= (_available = Volatile.Read(ref _shared.Produced))))
        {
            page = 0;
            write = false;
            return false;
        }
        long e = _ring[(int)i & _mask];
        write = (e & 1) != 0;
        page = e >> 1;
        return true;
    }

    /// <summary>The random stream as it is after the last access (all <see cref="Total"/> consumed): the
    /// process's stream from then on.</summary>
    public Pcg32 FinalRng()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _owner, 1, 0) != 0) spin.SpinOnce();
        var rng = _rng;
        Volatile.Write(ref _owner, 0);
        return rng;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        var spin = new SpinWait();
        while (true)
        {
            _available = Volatile.Read(ref _shared.Produced);
            if (_consumed < _available) return;
            Publish();
            // Nothing drawn yet: draw a chunk here unless a worker is drawing right now.
            if (Interlocked.CompareExchange(ref _owner, 1, 0) == 0)
            {
                Draw(_parallel ? Chunk * 4 : _ring.Length);
                Volatile.Write(ref _owner, 0);
            }
            else spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Shows the worker how far the consumer is; wakes it when half the ring is free, or starts one if
    /// there is none (the first time, or after one gave up waiting).</summary>
    private void Publish()
    {
        Interlocked.Exchange(ref _shared.Consumed, _consumed); // a full fence: the reads below see the worker's flags
        if (!_parallel) return;
        long produced = Volatile.Read(ref _shared.Produced);
        if (produced >= _total || produced - _consumed > _ring.Length / 2) return;
        if (Volatile.Read(ref _worker) == 0)
        {
            if (Interlocked.CompareExchange(ref _worker, 1, 0) == 0)
                new Thread(static s => ((AccessStream)s!).Work()) { IsBackground = true, Name = "mmsim access draws" }.Start(this);
        }
        else if (Volatile.Read(ref _waiting) == 1) _space.Set();
    }

    /// <summary>The worker thread: draws until the ring is full, sleeps until the consumer frees half of it, and
    /// ends when every access is drawn, or when the consumer has not moved for <see cref="IdleExit"/> (a step
    /// left unfinished: its process was killed or the run stopped).</summary>
    private void Work()
    {
        while (true)
        {
            if (Interlocked.CompareExchange(ref _owner, 1, 0) == 0)
            {
                Draw(_ring.Length);
                Volatile.Write(ref _owner, 0);
            }
            if (Volatile.Read(ref _shared.Produced) >= _total) break;
            _space.Reset();
            Interlocked.Exchange(ref _waiting, 1);
            long seen = Volatile.Read(ref _shared.Consumed);
            bool room = seen + _ring.Length - Volatile.Read(ref _shared.Produced) >= _ring.Length / 2;
            bool woken = room || _space.Wait(IdleExit);
            Volatile.Write(ref _waiting, 0);
            if (!woken && Volatile.Read(ref _shared.Consumed) == seen) break;
        }
        Volatile.Write(ref _worker, 0);
    }

    /// <summary>Draws up to <paramref name="max"/> entries into the free part of the ring. Holds <c>_owner</c>.</summary>
    private void Draw(int max)
    {
        long p = _shared.Produced;
        long end = Math.Min(_total, Math.Min(p + max, Volatile.Read(ref _shared.Consumed) + _ring.Length));
        // Locals only in the loop: this object's fields share cache lines with the consumer's counters, which it
        // writes on every access, so reading a field per draw would pull those lines back and forth between the
        // two cores (it made the consumer's accesses half as slow again).
        var rng = _rng;
        var ring = _ring;
        var gen = _gen;
        int mask = _mask;
        while (p < end)
        {
            long chunkEnd = Math.Min(end, p + Chunk);
            for (; p < chunkEnd; p++)
            {
                long page = gen.Draw(p, ref rng, out bool w);
                ring[(int)p & mask] = (page << 1) | (w ? 1L : 0L);
            }
            Volatile.Write(ref _shared.Produced, p);
        }
        _rng = rng; // read only under _owner, which this thread holds until it returns
    }
}
