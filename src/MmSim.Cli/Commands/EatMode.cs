using System.Globalization;
using System.Text.Json;
using MmSim.Paging.Layouts;
using MmSim.Translate;
using MmSim.Workloads;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim translate --eat --hit R [--tlb T] [--mem M] [--scheme S] [--page P]</c>: the effective access
/// time of the scheme's walk (a large page walks fewer levels).</summary>
internal static class EatMode
{
    public static int Run(TranslationLayout layout, string? hitText, string tlbText, string memText, bool json, TextWriter stdout)
    {
        double hit = Ratio(hitText ?? throw new InputException("--hit", 0, "--eat needs --hit, the TLB hit ratio, e.g. 0.98 or 98%"));
        double tlb = Nanoseconds(tlbText, "--tlb"), mem = Nanoseconds(memText, "--mem");
        int levels = layout.Levels.Count;
        double eat = EffectiveAccessTime.Compute(hit, tlb, mem, levels);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                scheme = layout.Scheme, levels, hit, tlb_ns = tlb, memory_ns = mem, eat_ns = Math.Round(eat, 6),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        string n(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
        stdout.WriteLine($"{layout.Scheme}, {levels} level{(levels == 1 ? "" : "s")}: EAT = {n(hit)} × ({n(tlb)} + {n(mem)}) + {n(1 - hit)} × ({n(tlb)} + {levels + 1} × {n(mem)}) = {n(eat)} ns");
        stdout.WriteLine($"  {n(EffectiveAccessTime.Overhead(hit, tlb, mem, levels) * 100)}% slower than memory without translation");
        return ExitCodes.Ok;
    }

    private static double Ratio(string text)
    {
        string t = text.Trim();
        bool percent = t.EndsWith('%');
        if (!double.TryParse(percent ? t[..^1] : t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            || (percent ? v / 100 : v) is < 0 or > 1)
            throw new InputException("--hit", 0, $"invalid hit ratio '{text}'; expected 0 to 1, or a percentage such as 98%");
        return percent ? v / 100 : v;
    }

    /// <summary>A bare number is nanoseconds (fractions allowed); otherwise a time with a unit (20ns, 1us).</summary>
    private static double Nanoseconds(string text, string source)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ns))
            return ns >= 0 ? ns : throw new InputException(source, 0, $"invalid time '{text}'; expected 0 or more");
        return Units.ParseTime(text, source, 0);
    }
}
