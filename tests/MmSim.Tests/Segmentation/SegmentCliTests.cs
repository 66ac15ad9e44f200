using System.Text.Json;
using MmSim.Tests.Translate;

namespace MmSim.Tests.Segmentation;

/// <summary><c>mmsim run</c> and <c>mmsim translate --scenario --segment</c> on segmented scenarios, and their
/// bad input.</summary>
public class SegmentCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mmsim-seg").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string yaml)
    {
        string path = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Theory]
    [InlineData("2", "53", "{\"segment\":2,\"offset\":53,\"physical\":4353}")]
    [InlineData("3", "852", "{\"segment\":3,\"offset\":852,\"physical\":4052}")]
    [InlineData("0", "1222", "{\"segment\":0,\"offset\":1222,\"fault\":\"limit\"}")]
    [InlineData("7", "0", "{\"segment\":7,\"offset\":0,\"fault\":\"not-present\"}")]
    public void Translate_walks_the_segment_table_the_scenario_left(string seg, string off, string expected)
    {
        string file = Write(SegmentScenarioTests.Textbook);
        var (code, o, e) = TranslateCommandTests.Run("translate", "--scenario", file, "--pid", "1000", "--segment", seg, "--offset", off, "--json");
        Assert.Equal(("", 0), (e, code));
        Assert.Equal(expected, JsonSerializer.Serialize(JsonDocument.Parse(o).RootElement));
    }

    [Fact]
    public void Translate_text_explains_the_sum()
    {
        string file = Write(SegmentScenarioTests.Textbook);
        var (code, o, _) = TranslateCommandTests.Run("translate", "--scenario", file, "--pid", "1000", "--segment", "2", "--offset", "53");
        Assert.Equal(0, code);
        Assert.Equal("pid 1000 segment 2 (base 4300, limit 400, rw), offset 53: physical 4353 = base 4300 + offset 53", o.Trim());
    }

    [Fact]
    public void Translate_under_segmented_paging_gives_page_and_frame()
    {
        string file = Write("""
            machine: { translation: segmented_paging, memory: 16KiB }
            processes:
              - name: p
                segments: [ { id: 0, limit: 10000 } ]
                steps:
                  - access: { segment: 0, offset: 8200 }
            """);
        var (code, o, _) = TranslateCommandTests.Run("translate", "--scenario", file, "--pid", "1000", "--segment", "0", "--offset", "8300", "--json");
        Assert.Equal(0, code);
        Assert.Equal("{\"segment\":0,\"offset\":8300,\"page\":2,\"page_offset\":108,\"frame\":0,\"physical\":108}",
            JsonSerializer.Serialize(JsonDocument.Parse(o).RootElement));
    }

    [Fact]
    public void Run_json_and_text_of_the_builtin()
    {
        var (code, o, e) = TranslateCommandTests.Run("run", "segmentation-fragmentation", "--json");
        Assert.Equal(("", 0), (e, code));
        var r = JsonDocument.Parse(o).RootElement;
        Assert.Equal(1, r.GetProperty("counters").GetProperty("segment_alloc_failures").GetInt64());
        Assert.Equal(16384, r.GetProperty("external_fragmentation").GetProperty("largest_hole_bytes").GetInt64());
        var (code2, text, _) = TranslateCommandTests.Run("run", "segmentation-fragmentation");
        Assert.Equal(0, code2);
        Assert.Contains("External fragmentation: 16384 bytes free in 1 hole, largest hole 16384 bytes", text);
        Assert.Contains("     32768 /     8192 /   4  pid 1001 exits", text);
    }

    [Theory]
    [InlineData("machine: { translation: segmentaton }\nprocesses: [ { name: p, steps: [ exit ] } ]", 1,
        "invalid machine.translation 'segmentaton' (did you mean 'segmentation'?)")]
    [InlineData("machine: { translation: segmentation, placement: fist_fit }\nprocesses: [ { name: p, steps: [ exit ] } ]", 1,
        "invalid machine.placement 'fist_fit' (did you mean 'first_fit'?)")]
    [InlineData("machine: { placement: best_fit }\nprocesses: [ { name: p, steps: [ exit ] } ]", 1,
        "machine.placement applies to translation: segmentation, not to x86_64")]
    [InlineData("machine: { translation: segmentation, memory: 8KiB }\nprocesses:\n  - name: p\n    steps:\n      - segment: { id: 1, size: 9KiB }", 5,
        "segment 1 of 9216 bytes is bigger than machine.memory (8192 bytes): it could never be placed")]
    [InlineData("machine: { translation: segmentation, memory: 8KiB }\nprocesses:\n  - name: p\n    segments: [ { id: 0, base: 8000, limit: 1000 } ]", 4,
        "segment 0 (base 8000, limit 1000) ends at 9000, beyond machine.memory (8192 bytes)")]
    [InlineData("machine: { translation: segmentation }\nprocesses:\n  - name: p\n    steps:\n      - access: { segment: 3, offset: 0 }", 5,
        "access names segment 3, which process 'p' has not declared")]
    [InlineData("machine: { translation: segmented_paging }\nprocesses:\n  - name: p\n    steps:\n      - compact", 5,
        "compact applies to translation: segmentation")]
    [InlineData("machine: { translation: segmentation }\nprocesses:\n  - name: p\n    steps:\n      - alloc: { name: h, size: 4KiB }", 5,
        "unknown step 'alloc' under translation: segmentation")]
    [InlineData("machine: { translation: segmentation, memory: 1GiB }\nprocesses: [ { name: p, steps: [ exit ] } ]", 1,
        "machine.memory under a segmented translation is at most 64MiB")]
    [InlineData("machine: { translation: segmentation, memory: 8KiB }\nprocesses:\n  - name: p\n    segments: [ { id: 0, base: 0, limit: 100 } ]\n  - name: q\n    segments: [ { id: 0, base: 50, limit: 100 } ]", 6,
        "overlaps segment 0 of 'p' [0, 100)")]
    [InlineData("machine: { translation: segmentation }\nprocesses:\n  - name: p\n    steps:\n      - segment: { id: 1, size: 4KiB }\n        access: { segment: 1, offset: 0 }", 5,
        "a step has exactly one key, the kind of step; got 2 (segment, access). Put the parameters inside it ('- segment: { id: 1, size: 4KiB }')")]
    public void Bad_input_exits_2_naming_the_line(string yaml, int line, string message)
    {
        string file = Write(yaml);
        var (code, o, e) = TranslateCommandTests.Run("run", file);
        Assert.Equal(2, code);
        Assert.Equal("", o);
        Assert.StartsWith($"mmsim: {file}:{line}:", e);
        Assert.Contains(message, e);
        Assert.DoesNotContain("   at ", e);
    }

    [Fact]
    public void Segment_translate_on_a_paging_scenario_is_bad_input()
    {
        var (code, _, e) = TranslateCommandTests.Run("translate", "--scenario", "lazy-allocation", "--pid", "1000", "--segment", "0", "--offset", "1");
        Assert.Equal(2, code);
        Assert.Contains("--segment needs a scenario with machine.translation segmentation or segmented_paging, not x86_64", e);
    }
}
