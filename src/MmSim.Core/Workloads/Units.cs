using System.Globalization;

namespace MmSim.Workloads;

/// <summary>
/// Sizes and times as scenarios write them.
/// <para>A size is a non-negative number (decimals allowed if the result is a whole number of bytes), optionally
/// followed by a unit: B; KiB, MiB, GiB, TiB (powers of 1024); K, M, G, T and KB, MB, GB, TB are accepted and
/// also mean powers of 1024 (as in the kernel's command line and most tools, not SI). Units are not case-sensitive;
/// a bare number is bytes.</para>
/// <para>A time is a non-negative number followed by ns, us (or µs), ms or s; a bare 0 is allowed.
/// Times are kept in whole nanoseconds.</para>
/// </summary>
public static class Units
{
    public const long KiB = 1L << 10, MiB = 1L << 20, GiB = 1L << 30, TiB = 1L << 40;

    private const string SizeExpected = "expected a number with a unit B, KiB, MiB, GiB or TiB";
    private const string TimeExpected = "expected a number with a unit ns, us, ms or s";

    /// <summary>Parses a size, or throws an <see cref="InputException"/> at <paramref name="line"/>.</summary>
    public static long ParseSize(string text, string sourceName, int line, int column = 0)
    {
        return TryParseSize(text, out long bytes, out string? why)
            ? bytes
            : throw new InputException(sourceName, line, $"invalid size '{text}'; {why}", column);
    }

    /// <summary>Parses a size; false (with the reason in <paramref name="error"/>) when invalid.</summary>
    public static bool TryParseSize(string text, out long bytes, out string? error)
    {
        bytes = 0;
        if (!Split(text, out decimal number, out string unit, out bool negative))
        {
            error = SizeExpected;
            return false;
        }
        long multiplier = SizeMultiplier(unit);
        if (multiplier == 0)
        {
            error = SizeExpected;
            return false;
        }
        return ToWhole(number, multiplier, negative, "bytes", "a size", out bytes, out error);
    }

    /// <summary>Parses a time into nanoseconds, or throws an <see cref="InputException"/>.</summary>
    public static long ParseTime(string text, string sourceName, int line, int column = 0)
    {
        return TryParseTime(text, out long ns, out string? why)
            ? ns
            : throw new InputException(sourceName, line, $"invalid time '{text}'; {why}", column);
    }

    public static bool TryParseTime(string text, out long ns, out string? error)
    {
        ns = 0;
        if (!Split(text, out decimal number, out string unit, out bool negative))
        {
            error = TimeExpected;
            return false;
        }
        long multiplier = unit.ToLowerInvariant() switch
        {
            "ns" => 1,
            "us" or "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "" when number == 0 => 1,
            _ => 0,
        };
        if (multiplier == 0)
        {
            error = TimeExpected;
            return false;
        }
        return ToWhole(number, multiplier, negative, "nanoseconds", "a time", out ns, out error);
    }

    /// <summary>"64MiB", "4KiB", "1.5GiB", "100B": the largest binary unit not above the value, with up to two
    /// decimals (trailing zeros dropped).</summary>
    public static string FormatSize(long bytes)
    {
        if (bytes < 0) return "-" + FormatSize(-bytes);
        (long unit, string name) = bytes switch
        {
            >= TiB => (TiB, "TiB"),
            >= GiB => (GiB, "GiB"),
            >= MiB => (MiB, "MiB"),
            >= KiB => (KiB, "KiB"),
            _ => (1L, "B"),
        };
        decimal value = Math.Round((decimal)bytes / unit, 2);
        return value.ToString("0.##", CultureInfo.InvariantCulture) + name;
    }

    /// <summary>"5ms", "1.5us", "100ns", "2s": the largest unit not above the value, up to three decimals.</summary>
    public static string FormatTime(long ns)
    {
        if (ns < 0) return "-" + FormatTime(-ns);
        (long unit, string name) = ns switch
        {
            >= 1_000_000_000 => (1_000_000_000L, "s"),
            >= 1_000_000 => (1_000_000L, "ms"),
            >= 1_000 => (1_000L, "us"),
            _ => (1L, "ns"),
        };
        decimal value = Math.Round((decimal)ns / unit, 3);
        return value.ToString("0.###", CultureInfo.InvariantCulture) + name;
    }

    private static long SizeMultiplier(string unit) => unit.ToLowerInvariant() switch
    {
        "" or "b" => 1,
        "k" or "kb" or "kib" => KiB,
        "m" or "mb" or "mib" => MiB,
        "g" or "gb" or "gib" => GiB,
        "t" or "tb" or "tib" => TiB,
        _ => 0,
    };

    /// <summary>Splits "[-]digits[.digits][ ]unit"; false when it is not of that shape.</summary>
    private static bool Split(string text, out decimal number, out string unit, out bool negative)
    {
        number = 0;
        unit = "";
        string s = text.Trim();
        negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.' || s[end] == '_')) end++;
        string digits = s[..end].Replace("_", "");
        unit = s[end..].Trim();
        if (digits.Length == 0 || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[^1])) return false;
        foreach (char c in unit)
            if (!char.IsLetter(c)) return false;
        return decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }

    private static bool ToWhole(decimal number, long multiplier, bool negative, string what, string kind,
        out long result, out string? error)
    {
        result = 0;
        error = null;
        if (negative && number != 0)
        {
            error = $"{kind} cannot be negative";
            return false;
        }
        decimal value;
        try
        {
            value = number * multiplier;
        }
        catch (OverflowException)
        {
            error = $"{kind} must be below 2^63";
            return false;
        }
        if (value > long.MaxValue)
        {
            error = $"{kind} must be below 2^63";
            return false;
        }
        if (value != decimal.Truncate(value))
        {
            error = $"not a whole number of {what}";
            return false;
        }
        result = (long)value;
        return true;
    }
}
