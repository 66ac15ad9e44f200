using System.Runtime.CompilerServices;

namespace MmSim.Cache;

/// <summary>Random replacement: empty ways first, then a way drawn from a seeded xorshift64* generator
/// (reproducible for a seed).</summary>
internal struct RandomPolicy : IReplacementPolicy
{
    private readonly int _ways;
    private ulong _rng;

    public RandomPolicy(int ways, ulong seed)
    {
        _ways = ways;
        _rng = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int set, int way) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Replace(int set, int filled)
    {
        if (filled < _ways) return filled;
        // xorshift64*
        _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
        return (int)(_rng * 0x2545F4914F6CDD1DUL % (ulong)_ways);
    }
}
