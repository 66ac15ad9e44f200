using System.Globalization;
using System.Reflection;

namespace MmSim.Web.Lab;

/// <summary>The page's files, embedded under "wwwroot/" (see the csproj), and the language files
/// wwwroot/i18n/LANG.json: one more file there is one more language.</summary>
public static class Assets
{
    private const string Prefix = "wwwroot/";
    private static readonly Assembly Assembly = typeof(Assets).Assembly;
    private static readonly HashSet<string> Names = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The languages, English first.</summary>
    public static IReadOnlyList<string> Languages { get; } = Names
        .Where(n => n.StartsWith(Prefix + "i18n/", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[(Prefix.Length + 5)..^5]).OrderBy(l => l == "en" ? "" : l, StringComparer.Ordinal).ToArray();

    public static byte[]? Bytes(string path)
    {
        string name = Prefix + path.TrimStart('/');
        if (!Names.Contains(name)) return null;
        using var s = Assembly.GetManifestResourceStream(name)!;
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    public static string? Text(string path) => Bytes(path) is { } b ? System.Text.Encoding.UTF8.GetString(b) : null;

    public static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "text/plain; charset=utf-8",
    };

    /// <summary>The first of the browser's Accept-Language choices (by q, then order) that we have; else English.
    /// "zh-CN", "zh-Hans" and "zh" all pick zh.</summary>
    public static string PickLanguage(string acceptLanguage)
    {
        var choices = new List<(string Lang, double Q, int Order)>();
        int order = 0;
        foreach (var part in acceptLanguage.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bits = part.Split(';', StringSplitOptions.TrimEntries);
            double q = 1;
            foreach (var b in bits.Skip(1))
                if (b.StartsWith("q=", StringComparison.Ordinal)
                    && double.TryParse(b[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) q = v;
            string primary = bits[0].Split('-')[0].ToLowerInvariant();
            choices.Add((primary, q, order++));
        }
        foreach (var c in choices.OrderByDescending(c => c.Q).ThenBy(c => c.Order))
            if (c.Q > 0 && Languages.Contains(c.Lang)) return c.Lang;
        return "en";
    }
}
