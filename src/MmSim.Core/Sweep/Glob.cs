using System.Text;
using System.Text.RegularExpressions;

namespace MmSim.Sweep;

/// <summary>Shell-style globs (<c>*</c>, <c>?</c>, <c>[abc]</c> within one path segment, as sh matches them; no
/// <c>**</c>). Matches are sorted by ordinal name so every machine enumerates them in the same order.</summary>
public static class Glob
{
    public static bool HasWildcards(string s) => s.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>The files <paramref name="pattern"/> names, relative to <paramref name="baseDir"/> unless absolute:
    /// (the path as the pattern spells it, the full path).</summary>
    public static List<(string Path, string FullPath)> Expand(string pattern, string baseDir)
    {
        bool rooted = Path.IsPathRooted(pattern);
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<(string Display, string Full)> { (rooted ? "/" : "", rooted ? "/" : baseDir) };
        for (int i = 0; i < segments.Length; i++)
        {
            bool last = i == segments.Length - 1;
            string seg = segments[i];
            var next = new List<(string, string)>();
            foreach (var (display, full) in current)
            {
                if (!HasWildcards(seg))
                {
                    string f = Path.Combine(full, seg);
                    if (last ? File.Exists(f) : Directory.Exists(f)) next.Add((Join(display, seg), f));
                    continue;
                }
                if (!Directory.Exists(full)) continue;
                var re = new Regex(ToRegex(seg), RegexOptions.CultureInvariant);
                var names = (last ? Directory.EnumerateFiles(full) : Directory.EnumerateDirectories(full))
                    .Select(Path.GetFileName).OfType<string>()
                    .Where(n => re.IsMatch(n) && !(n.StartsWith('.') && !seg.StartsWith('.')))
                    .OrderBy(n => n, StringComparer.Ordinal);
                foreach (var n in names) next.Add((Join(display, n), Path.Combine(full, n)));
            }
            current = next;
        }
        return current.Select(c => (c.Display, c.Full)).ToList();
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a.EndsWith('/') ? a + b : a + "/" + b;

    private static string ToRegex(string seg)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < seg.Length; i++)
        {
            char c = seg[i];
            if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else if (c == '[' && seg.IndexOf(']', i + 1) is int end && end > i + 1)
            {
                string set = seg[(i + 1)..end];
                sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = end;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
