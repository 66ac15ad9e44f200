using System.Numerics;

namespace MmSim.Workloads;

/// <summary>
/// PCG-XSH-RR with 64-bit state and 32-bit output (M. E. O'Neill, pcg-random.org; the reference pcg32 of
/// pcg_basic.c, same constants, same seeding), so a C port gives the same numbers:
/// <code>
/// init(seed, stream): state = 0; inc = (stream &lt;&lt; 1) | 1; next(); state += seed; next();
/// next():  old = state; state = old * 6364136223846793005 + inc;          (mod 2^64)
///          x = (uint32)(((old &gt;&gt; 18) ^ old) &gt;&gt; 27); rot = old &gt;&gt; 59;
///          return (x &gt;&gt; rot) | (x &lt;&lt; ((-rot) &amp; 31));
/// </code>
/// A process draws from <c>new Pcg32(scenario.Seed, (ulong)pid)</c>. A mutable struct: pass it by ref.
/// </summary>
public struct Pcg32
{
    public const ulong Multiplier = 6364136223846793005UL;

    private ulong _state;
    private readonly ulong _inc;

    public Pcg32(ulong seed, ulong stream)
    {
        _state = 0;
        _inc = (stream << 1) | 1;
        NextUInt();
        _state = unchecked(_state + seed);
        NextUInt();
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt()
    {
        ulong old = _state;
        _state = unchecked(old * Multiplier + _inc);
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rot = (int)(old >> 59);
        return BitOperations.RotateRight(xorShifted, rot);
    }

    /// <summary>
    /// A uniform number in [0, n), n &gt; 0, without bias, by D. Lemire's multiply-and-reject method
    /// ("Fast Random Integer Generation in an Interval", 2019):
    /// <code>
    /// m = (uint64)next() * n; low = (uint32)m;
    /// if (low &lt; n) { t = (uint32)(-n) % n; while (low &lt; t) { m = (uint64)next() * n; low = (uint32)m; } }
    /// return m &gt;&gt; 32;
    /// </code>
    /// One draw almost always; the rejection loop runs with probability below n / 2^32.
    /// </summary>
    public uint NextBounded(uint n)
    {
        if (n == 0) throw new ArgumentOutOfRangeException(nameof(n), "the bound must be positive");
        ulong m = (ulong)NextUInt() * n;
        uint low = (uint)m;
        if (low < n)
        {
            uint threshold = unchecked(0u - n) % n;
            while (low < threshold)
            {
                m = (ulong)NextUInt() * n;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }

    /// <summary>A double in [0, 1): <c>next() / 2^32</c> (32 bits of randomness, exact in a double).</summary>
    public double NextDouble() => NextUInt() * (1.0 / 4294967296.0);
}
