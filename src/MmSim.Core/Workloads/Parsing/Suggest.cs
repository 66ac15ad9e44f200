namespace MmSim.Workloads;

/// <summary>Builds the "expected one of" tail of error messages, with a "did you mean" for near misses.</summary>
internal static class Suggest
{
    /// <summary>" (did you mean 'touch'?); expected one of: alloc, touch, ..." for an unknown <paramref name="got"/>.</summary>
    public static string Expected(string got, IEnumerable<string> allowed)
    {
        var list = allowed.ToList();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in list)
        {
            int d = Distance(got.ToLowerInvariant(), candidate);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }
        string hint = best != null && bestDistance <= (got.Length <= 3 ? 1 : 2)
            ? $" (did you mean '{best}'?)"
            : "";
        return $"{hint}; expected one of: {string.Join(", ", list)}";
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
