using System.Globalization;

namespace MmSim.Host;

/// <summary>
/// MemTotal and SwapTotal of <c>/proc/meminfo</c>. <c>proc_oom_score</c> uses
/// <c>totalpages = totalram_pages() + total_swap_pages</c>; MemTotal is <c>totalram_pages</c> and SwapTotal is
/// <c>total_swap_pages</c> (plus pages of a swapoff in progress, <c>nr_to_be_unused</c>: a simplification), both
/// printed as pages·(PAGE_SIZE/1024) kB.
/// </summary>
public readonly record struct HostMeminfo(long MemTotalKb, long SwapTotalKb)
{
    public long TotalPages(int pageSize) => (MemTotalKb + SwapTotalKb) * 1024 / pageSize;

    /// <summary>Parses meminfo text; a missing MemTotal is an <see cref="InputException"/> naming <paramref name="source"/>.</summary>
    public static HostMeminfo Parse(string text, string source)
    {
        long? mem = null, swap = null;
        int lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) mem = Kb(line, source, lineNo);
            else if (line.StartsWith("SwapTotal:", StringComparison.Ordinal)) swap = Kb(line, source, lineNo);
        }
        if (mem is null) throw new InputException(source, 0, "no MemTotal line: is this a Linux /proc/meminfo?");
        return new HostMeminfo(mem.Value, swap ?? 0);
    }

    private static long Kb(string line, string source, int lineNo)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < 0)
            throw new InputException(source, lineNo, $"expected 'Name: N kB', got '{line.Trim()}'");
        return v;
    }
}
