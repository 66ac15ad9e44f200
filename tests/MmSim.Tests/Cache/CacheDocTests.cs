using System.Text.RegularExpressions;

namespace MmSim.Tests.Cache;

/// <summary>The examples in docs/cache.md print what the page says.</summary>
public class CacheDocTests
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MmSim.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("MmSim.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string TrimLines(string s) => string.Join('\n', s.Split('\n').Select(l => l.TrimEnd()));

    [Fact]
    public void Every_command_example_prints_its_output()
    {
        string root = Root();
        string doc = File.ReadAllText(Path.Combine(root, "docs", "cache.md")).Replace("\r\n", "\n");
        string yaml = Regex.Match(doc, "```yaml\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        string tiny = CacheCli.Temp(yaml, ".yaml");
        var examples = Regex.Matches(doc, "```\n\\$ mmsim (.*?)\n(.*?)```", RegexOptions.Singleline);
        Assert.Equal(3, examples.Count);
        foreach (Match m in examples)
        {
            var args = m.Groups[1].Value.Split(' ')
                .Select(a => a.StartsWith("tests/") ? Path.Combine(root, a) : a == "tiny.yaml" ? tiny : a).ToArray();
            var r = CacheCli.Run(args);
            Assert.Equal(0, r.Code);
            // Tables are padded with spaces that a page does not keep: compare without trailing spaces.
            Assert.Equal(TrimLines(m.Groups[2].Value), TrimLines(r.Out));
        }
    }
}
