using MmSim.Workloads;

namespace MmSim.Tests.Workloads;

public class BuiltinScenariosTests
{
    [Fact]
    public void TheExpectedBuiltinsAreEmbedded()
    {
        foreach (string name in new[] { "lazy-allocation", "zero-page-cow", "segfault-kernel-address", "page-cache-hit-miss" })
            Assert.Contains(name, BuiltinScenarios.Names);
        Assert.Contains(BuiltinScenarios.Default, BuiltinScenarios.Names);
    }

    public static TheoryData<string> All => new(BuiltinScenarios.Names);

    [Theory]
    [MemberData(nameof(All))]
    public void EveryBuiltinLoadsAndIsDescribedInBothLanguages(string name)
    {
        var s = BuiltinScenarios.Load(name);
        Assert.Equal(name, s.Name);
        Assert.Equal($"scenarios/{name}.yaml", s.SourceName);
        Assert.False(string.IsNullOrWhiteSpace(s.Title));
        Assert.False(string.IsNullOrWhiteSpace(s.Description));
        Assert.False(string.IsNullOrWhiteSpace(s.DescriptionZh));
        Assert.Contains(s.DescriptionZh!, c => c >= '\u4e00' && c <= '\u9fff');
        Assert.NotEmpty(s.Processes);
    }

    [Fact]
    public void ListGivesNamesAndTitles()
    {
        var list = BuiltinScenarios.List();
        Assert.Equal(BuiltinScenarios.Names, list.Select(e => e.Name));
        Assert.Contains(list, e => e.Name == "lazy-allocation" && e.Title == "Lazy allocation");
    }

    [Fact]
    public void UnknownNameListsTheBuiltins()
    {
        var ex = Assert.Throws<InputException>(() => BuiltinScenarios.Load("lazy-alocation"));
        Assert.Contains("unknown built-in scenario 'lazy-alocation' (did you mean 'lazy-allocation'?); expected one of:", ex.Message);
        Assert.Contains("page-cache-hit-miss", ex.Message);
    }

    [Fact]
    public void YamlSuffixIsAccepted() =>
        Assert.Equal("zero-page-cow", BuiltinScenarios.Load("zero-page-cow.yaml").Name);

    [Fact]
    public void LazyAllocationTellsTheStoryOfTheIssue()
    {
        var s = BuiltinScenarios.Load("lazy-allocation");
        Assert.Equal(1L << 30, s.Machine.MemoryBytes);
        Assert.Equal(["lazy", "readwrite"], s.Processes.Select(p => p.Name));
        var lazy = s.Processes[0].Steps;
        Assert.Equal(64L << 20, Assert.IsType<AllocStep>(lazy[0]).SizeBytes);
        Assert.True(lazy.OfType<TouchStep>().Single().Write);
        var readwrite = s.Processes[1].Steps.OfType<TouchStep>().ToList();
        Assert.Equal([false, true], readwrite.Select(t => t.Write));
        Assert.Equal(16384, (64L << 20) / s.Machine.PageSize);
    }

    [Fact]
    public void SegfaultScenarioReadsKernelAndNonCanonicalAddresses()
    {
        var s = BuiltinScenarios.Load("segfault-kernel-address");
        var addresses = s.Processes.SelectMany(p => p.Steps).OfType<AccessStep>()
            .Where(a => a.Address is not null).Select(a => a.Address!.Value).ToList();
        Assert.Contains(0xffff888000000000UL, addresses);
        Assert.Contains(0x0000800000000000UL, addresses);
    }

    [Fact]
    public void PageCacheScenarioReadsTheSameFileTwice()
    {
        var s = BuiltinScenarios.Load("page-cache-hit-miss");
        Assert.Equal(64L << 20, s.FindFile("/data/table.db")!.SizeBytes);
        var cold = s.Processes.Single(p => p.Name == "cold");
        var warm = s.Processes.Single(p => p.Name == "warm");
        Assert.True(warm.StartAtNs > cold.StartAtNs);
        Assert.Equal("/data/table.db", warm.Steps.OfType<MapFileStep>().Single().Path);
        Assert.Equal(2, s.Processes.Single(p => p.Name == "reader").Steps.OfType<ReadFileStep>().Count());
    }
}
