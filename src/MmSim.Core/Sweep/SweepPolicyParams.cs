using System.Globalization;
using MmSim.Replay;

namespace MmSim.Sweep;

/// <summary>The parameters a policy takes in a sweep file (<c>{ name: clock, bits: 2 }</c>), each mapped to the
/// <see cref="PolicyOptions"/> field and the <c>mmsim replay</c> option that set it.</summary>
internal static class SweepPolicyParams
{
    private sealed record Param(string Policy, string Key, string ReplayOption, Func<PolicyOptions, string, PolicyOptions?> Set);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static PolicyOptions? Int(string v, Func<int, PolicyOptions> f) =>
        int.TryParse(v, NumberStyles.Integer, Inv, out int x) ? f(x) : null;

    private static PolicyOptions? Dbl(string v, Func<double, PolicyOptions> f) =>
        double.TryParse(v, NumberStyles.Float, Inv, out double x) ? f(x) : null;

    private static readonly Param[] All =
    [
        new("clock", "bits", "--clock-bits", (o, v) => Int(v, x => o with { ClockBits = x })),
        new("random", "seed", "--seed", (o, v) => ulong.TryParse(v, NumberStyles.Integer, Inv, out ulong s) ? o with { Seed = s } : null),
        new("nru", "period", "--nru-period", (o, v) => Int(v, x => o with { NruPeriod = x })),
        new("nru", "seed", "--seed", (o, v) => ulong.TryParse(v, NumberStyles.Integer, Inv, out ulong s) ? o with { Seed = s } : null),
        new("2q", "in", "--2q-in", (o, v) => Dbl(v, x => o with { TwoQIn = x })),
        new("2q", "out", "--2q-out", (o, v) => Dbl(v, x => o with { TwoQOut = x })),
        new("slru", "protected", "--slru-protected", (o, v) => Dbl(v, x => o with { SlruProtected = x })),
        new("lirs", "hir", "--lirs-hir", (o, v) => Dbl(v, x => o with { LirsHir = x })),
        new("s3fifo", "small", "--s3fifo-small", (o, v) => Dbl(v, x => o with { S3Small = x })),
        new("s3fifo", "ghost", "--s3fifo-ghost", (o, v) => Dbl(v, x => o with { S3Ghost = x })),
        new("s3fifo", "threshold", "--s3fifo-threshold", (o, v) => Int(v, x => o with { S3Threshold = x })),
        new("linux", "inactive", "--linux-inactive", (o, v) => Dbl(v, x => o with { LinuxInactive = x })),
        new("mglru", "gens", "--mglru-gens", (o, v) => Int(v, x => o with { MglruGens = x })),
    ];

    public static IEnumerable<string> KeysOf(string policy) => All.Where(p => p.Policy == policy).Select(p => p.Key);

    /// <summary>Applies one parameter; returns null when the policy has no such parameter, throws
    /// <see cref="FormatException"/> when the value is not a number.</summary>
    public static (PolicyOptions Options, string ReplayOption)? Apply(string policy, string key, string value, PolicyOptions o)
    {
        var p = All.FirstOrDefault(x => x.Policy == policy && x.Key == key);
        if (p is null) return null;
        var r = p.Set(o, value) ?? throw new FormatException($"expected a number for '{key}', got '{value}'");
        return (r, p.ReplayOption);
    }
}
