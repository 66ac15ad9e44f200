namespace MmSim.Workloads;

/// <summary>
/// The pages of an <see cref="AccessStep"/> on a region of <c>pages</c> pages. For access i = 0 .. count-1:
/// <list type="bullet">
/// <item>sequential: page = i mod pages (no random draw);</item>
/// <item>random: page = rng.NextBounded(pages);</item>
/// <item>zipf: page = zipf.Sample(ref rng) - 1 (rank 1, the most frequent, is the region's first page).</item>
/// </list>
/// Then, after the page, the write decision: <c>write = ratio &gt;= 1 || (ratio &gt; 0 &amp;&amp; rng.NextDouble() &lt; ratio)</c>;
/// a draw is made only when 0 &lt; ratio &lt; 1. The random numbers come from the process's own <see cref="Pcg32"/>
/// (passed by ref, so successive steps continue the same stream). No allocation per access.
/// </summary>
public struct AccessGenerator
{
    private readonly AccessPattern _pattern;
    private readonly long _pages;
    private readonly long _count;
    private readonly double _writeRatio;
    private readonly ZipfSampler _zipf;
    private long _index;

    public AccessGenerator(AccessPattern pattern, long pages, long count, double writeRatio, double zipfAlpha = 1.0)
    {
        if (pages < 1) throw new ArgumentOutOfRangeException(nameof(pages), "a region has at least one page");
        if (pattern == AccessPattern.Random && pages > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(pages), "random access supports up to 2^32 pages");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (!(writeRatio >= 0 && writeRatio <= 1)) throw new ArgumentOutOfRangeException(nameof(writeRatio));
        _pattern = pattern;
        _pages = pages;
        _count = count;
        _writeRatio = writeRatio;
        _zipf = pattern == AccessPattern.Zipf ? new ZipfSampler(pages, zipfAlpha) : default;
        _index = 0;
    }

    /// <summary>The generator of an access step on a region of <paramref name="pages"/> pages.</summary>
    public AccessGenerator(AccessStep step, long pages)
        : this(step.Pattern, pages, step.Count, step.Exec ? 0 : step.WriteRatio, step.ZipfAlpha)
    {
    }

    /// <summary>Accesses not yet generated.</summary>
    public readonly long Remaining => _count - _index;

    public readonly bool HasNext => _index < _count;

    /// <summary>The page index (0-based within the region) of the next access, and whether it writes.
    /// Call only while <see cref="HasNext"/>.</summary>
    public long NextPage(ref Pcg32 rng, out bool write) => Draw(_index++, ref rng, out write);

    /// <summary>Access number <paramref name="i"/>'s page and write decision, drawn from <paramref name="rng"/>
    /// without moving the generator on (<see cref="AccessStream"/> draws ahead with it).</summary>
    public readonly long Draw(long i, ref Pcg32 rng, out bool write)
    {
        long page = _pattern switch
        {
            AccessPattern.Sequential => i % _pages,
            AccessPattern.Random => rng.NextBounded((uint)_pages),
            _ => _zipf.Sample(ref rng) - 1,
        };
        write = _writeRatio >= 1 || (_writeRatio > 0 && rng.NextDouble() < _writeRatio);
        return page;
    }

}
