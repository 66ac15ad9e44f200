using MmSim.Segmentation;

namespace MmSim.Tests.Segmentation;

public class SegmentTableTests
{
    // Silberschatz, Operating System Concepts, the segmentation example (segment: limit, base):
    // 0: 1000, 1400; 1: 400, 6300; 2: 400, 4300; 3: 1100, 3200; 4: 1000, 4700. Written SEG:BASE:LIMIT.
    private const string Textbook = "0:1400:1000,1:6300:400,2:4300:400,3:3200:1100,4:4700:1000";

    [Fact]
    public void Textbook_example()
    {
        var t = SegmentTable.Parse(Textbook);
        Assert.Equal(4353, t.Translate(2, 53).Physical);   // 4300 + 53
        Assert.Equal(4052, t.Translate(3, 852).Physical);  // 3200 + 852
        var trap = t.Translate(0, 1222);                    // 1222 >= limit 1000
        Assert.Null(trap.Physical);
        Assert.Equal(SegmentFault.Limit, trap.Fault);
    }

    [Fact]
    public void Limit_is_exclusive_and_absent_segments_are_not_present()
    {
        var t = SegmentTable.Parse(Textbook);
        Assert.Equal(1400 + 999, t.Translate(0, 999).Physical);
        Assert.Equal(SegmentFault.Limit, t.Translate(0, 1000).Fault);
        Assert.Equal(SegmentFault.NotPresent, t.Translate(5, 0).Fault);
    }

    [Fact]
    public void Protection_is_checked_after_the_limit()
    {
        var t = SegmentTable.Parse("0:0x1000:0x100:rx,1:0x2000:0x100:rw");
        Assert.Equal(0x1010, t.Translate(0, 0x10, SegmentAccess.Execute).Physical);
        Assert.Equal(SegmentFault.Protection, t.Translate(0, 0x10, SegmentAccess.Write).Fault);
        Assert.Equal(SegmentFault.Protection, t.Translate(1, 0x10, SegmentAccess.Execute).Fault);
        Assert.Equal(SegmentFault.Limit, t.Translate(0, 0x100, SegmentAccess.Write).Fault);
    }

    [Theory]
    [InlineData("0:1400")]
    [InlineData("0:1400:1000:rq")]
    [InlineData("a:1:2")]
    [InlineData("0:1:2,0:3:4")]
    [InlineData("")]
    public void Bad_tables_are_input_errors(string text)
    {
        Assert.Throws<InputException>(() => SegmentTable.Parse(text));
    }
}
