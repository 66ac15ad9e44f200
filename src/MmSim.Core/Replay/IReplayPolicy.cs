namespace MmSim.Replay;

/// <summary>
/// A page-replacement policy replaying a trace of page numbers into a fixed number of frames (sizes counted in
/// pages, like libCacheSim's <c>--ignore-obj-size 1</c>). Every policy is one class in Policies/ plus one line in
/// <see cref="PolicyRegistry"/>. <see cref="Run"/> is called with consecutive batches of the trace; it must not
/// allocate per request.
/// </summary>
public interface IReplayPolicy
{
    /// <summary>Number of frames (pages the memory holds).</summary>
    int Frames { get; }
    long Hits { get; }
    long Misses { get; }
    /// <summary>Replays the next batch of page references.</summary>
    void Run(ReadOnlySpan<long> keys);
    /// <summary>Appends the resident pages, in the policy's own order (for --explain and tests).</summary>
    void CopyResident(List<long> into);
    /// <summary>Bytes of state the policy allocated (arrays), to check the per-key memory budget.</summary>
    long StateBytes { get; }
}

/// <summary>What a policy factory gets: the frame count, the parameters, and (for OPT) the whole trace.</summary>
public sealed class PolicyContext
{
    public required int Frames { get; init; }
    public PolicyOptions Options { get; init; } = new();
    /// <summary>The whole trace, for policies that look ahead (OPT). Null when the policy is streamed.</summary>
    public ReplayTrace? Trace { get; init; }
}

/// <summary>Tunable policy parameters; the defaults are the values of each policy's paper (see
/// <c>mmsim policies</c>).</summary>
public sealed record PolicyOptions
{
    /// <summary>CLOCK: bits of the reference counter (1 = second chance).</summary>
    public int ClockBits { get; init; } = 1;
    /// <summary>RANDOM (and NRU's choice within a class): the generator's seed.</summary>
    public ulong Seed { get; init; } = 42;
    /// <summary>NRU: references between two clears of every referenced bit (a "clock tick").</summary>
    public int NruPeriod { get; init; } = 1000;
    /// <summary>2Q: A1in share of the frames (Kin) and A1out ghost size (Kout), as fractions of the frames.</summary>
    public double TwoQIn { get; init; } = 0.25;
    public double TwoQOut { get; init; } = 0.5;
    /// <summary>SLRU: share of the frames in the protected segment.</summary>
    public double SlruProtected { get; init; } = 0.8;
    /// <summary>LIRS: share of the frames holding resident HIR pages.</summary>
    public double LirsHir { get; init; } = 0.01;
    /// <summary>S3-FIFO: small queue share, ghost queue size (fractions of the frames), move-to-main threshold.</summary>
    public double S3Small { get; init; } = 0.10;
    public double S3Ghost { get; init; } = 0.90;
    public int S3Threshold { get; init; } = 2;
    /// <summary>Linux two-list: the inactive list's target share of the resident pages.</summary>
    public double LinuxInactive { get; init; } = 0.5;
    /// <summary>MGLRU: maximum number of generations (MAX_NR_GENS).</summary>
    public int MglruGens { get; init; } = 4;

    /// <summary>Throws an <see cref="InputException"/> naming the first out-of-range parameter.</summary>
    public void Validate()
    {
        static void Check(bool ok, string option, string expected, object value)
        {
            if (!ok) throw new InputException("command line", 0,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{option}: expected {expected}, got {value}"));
        }
        Check(ClockBits is >= 1 and <= 8, "--clock-bits", "1..8", ClockBits);
        Check(NruPeriod >= 1, "--nru-period", "a positive number of references", NruPeriod);
        Check(TwoQIn is > 0 and < 1, "--2q-in", "a fraction in (0, 1)", TwoQIn);
        Check(TwoQOut is >= 0 and <= 4, "--2q-out", "a fraction in [0, 4]", TwoQOut);
        Check(SlruProtected is > 0 and < 1, "--slru-protected", "a fraction in (0, 1)", SlruProtected);
        Check(LirsHir is > 0 and < 1, "--lirs-hir", "a fraction in (0, 1)", LirsHir);
        Check(S3Small is > 0 and < 1, "--s3fifo-small", "a fraction in (0, 1)", S3Small);
        Check(S3Ghost is >= 0 and <= 4, "--s3fifo-ghost", "a fraction in [0, 4]", S3Ghost);
        Check(S3Threshold is >= 1 and <= 3, "--s3fifo-threshold", "1..3", S3Threshold);
        Check(LinuxInactive is > 0 and < 1, "--linux-inactive", "a fraction in (0, 1)", LinuxInactive);
        Check(MglruGens is >= 2 and <= 16, "--mglru-gens", "2..16", MglruGens);
    }
}
