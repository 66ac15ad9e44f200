namespace MmSim.Cache;

/// <summary>Which line of a full set a miss replaces.</summary>
public enum Replacement { Lru, Fifo, Random }

/// <summary>
/// One cache's geometry and policies: <see cref="Sets"/> sets of <see cref="Ways"/> lines of 2^<see cref="BlockBits"/>
/// bytes. Cache Lab's s is log2(Sets); s = 0 (one set) is fully associative. Sets need not be a power of two (real
/// last-level caches are not); the set is then the block number modulo Sets.
/// </summary>
public sealed record CacheConfig
{
    /// <summary>Largest number of lines simulated (memory for the flat arrays).</summary>
    public const long MaxLines = 1L << 26;

    public long Sets { get; init; } = 1;
    public int Ways { get; init; } = 1;
    public int BlockBits { get; init; }
    public Replacement Replacement { get; init; } = Replacement.Lru;
    /// <summary>Write-back (dirty lines written when evicted) or write-through (every store goes down).</summary>
    public bool WriteBack { get; init; } = true;
    /// <summary>Write-allocate (a store miss loads the line) or no-write-allocate (it goes around the cache).</summary>
    public bool WriteAllocate { get; init; } = true;
    /// <summary>Seed of <see cref="Replacement.Random"/>.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Cache Lab's (s, E, b), checked: s + b ≤ 64, E ≥ 1.</summary>
    public static CacheConfig FromLab(int s, int e, int b, string source = "command line")
    {
        if (s < 0 || b < 0) throw new InputException(source, 0, $"expected s >= 0 and b >= 0, got s = {s}, b = {b}");
        if (s + b > 64) throw new InputException(source, 0, $"s + b must be at most 64 (the address bits), got s = {s}, b = {b}");
        if (e < 1) throw new InputException(source, 0, $"E (lines per set) must be at least 1, got {e}");
        if (s >= 40 || (1L << s) * e > MaxLines)
            throw new InputException(source, 0, $"2^s * E = 2^{s} * {e} lines is too many to simulate (at most {MaxLines})");
        return new CacheConfig { Sets = 1L << s, Ways = e, BlockBits = b };
    }

    /// <summary>A cache of <paramref name="sizeBytes"/> bytes, <paramref name="ways"/>-way, lines of
    /// <paramref name="lineBytes"/> (a power of two) bytes.</summary>
    public static CacheConfig FromSize(long sizeBytes, int ways, long lineBytes, string source)
    {
        if (lineBytes <= 0 || !System.Numerics.BitOperations.IsPow2(lineBytes))
            throw new InputException(source, 0, $"line size must be a power of two, got {lineBytes}");
        if (ways < 1) throw new InputException(source, 0, $"ways must be at least 1, got {ways}");
        if (sizeBytes <= 0 || sizeBytes % (ways * lineBytes) != 0)
            throw new InputException(source, 0, $"size {sizeBytes} is not a whole number of sets of {ways} lines of {lineBytes} bytes");
        long sets = sizeBytes / (ways * lineBytes);
        if (sets * ways > MaxLines) throw new InputException(source, 0, $"{sets * ways} lines is too many to simulate (at most {MaxLines})");
        return new CacheConfig { Sets = sets, Ways = ways, BlockBits = System.Numerics.BitOperations.Log2((ulong)lineBytes) };
    }

    public long SizeBytes => Sets * Ways * (BlockBits >= 63 ? 0 : 1L << BlockBits);
}
