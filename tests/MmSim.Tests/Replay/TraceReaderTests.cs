using System.Text;
using MmSim.Replay;
using MmSim.Replay.Traces;
using static MmSim.Tests.Replay.ReplayTestData;

namespace MmSim.Tests.Replay;

public class TraceReaderTests
{
    private static ReplayTrace FromText(string text, TraceOptions opt, string name = "t")
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var r = TraceLoader.Open("-", opt, () => new MemoryStream(bytes));
        return TraceLoader.ReadAll(r, name, TraceOptions.Name(opt.Format));
    }

    [Fact]
    public void PlainKeysAcceptDecimalHexBlankLinesAndComments()
    {
        var t = FromText("7\n0x10\r\n\n# comment\n  42  \n0XfF\n18446744073709551615", new TraceOptions());
        Assert.Equal(new long[] { 7, 16, 42, 255, -1 }, t.Keys.ToArray());
    }

    [Fact]
    public void MalformedKeyNamesTheLine()
    {
        var ex = Assert.Throws<InputException>(() => FromText("1\n2\nthree\n", new TraceOptions(), "keys.txt"));
        Assert.Equal("<stdin>", ex.SourceName);
        Assert.Equal(3, ex.Line);
        Assert.Contains("'three'", ex.Message);
    }

    [Fact]
    public void CsvPicksTheColumnAndSkipsTheHeader()
    {
        var t = FromText("time,id,size\n1,100,4096\n2,0x20,512\n3,100,1\n",
            new TraceOptions { Format = TraceFormat.Csv, CsvIdColumn = 2, CsvHeader = true });
        Assert.Equal(new long[] { 100, 32, 100 }, t.Keys.ToArray());
    }

    [Fact]
    public void CsvErrorsNameTheLine()
    {
        var ex = Assert.Throws<InputException>(() =>
            FromText("1,100\n2\n", new TraceOptions { Format = TraceFormat.Csv, CsvIdColumn = 2 }));
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void CsvHashesStringIds()
    {
        var t = FromText("a;x\nb;y\nc;x\n", new TraceOptions { Format = TraceFormat.Csv, CsvIdColumn = 2, CsvDelimiter = ';', CsvIdIsNumber = false });
        Assert.Equal(3, t.Count);
        Assert.Equal(t.Keys[0], t.Keys[2]);
        Assert.NotEqual(t.Keys[0], t.Keys[1]);
    }

    [Fact]
    public void LackeyTurnsAddressesIntoPagesAndCountsModifyTwice()
    {
        const string text = "==123== Lackey banner\nI  04000000,3\n L 7ff000398,8\n S 00001fff,4 \n M 00002000,4\n==123== end\n";
        var t = FromText(text, new TraceOptions { Format = TraceFormat.Lackey, PageSize = 4096 });
        Assert.Equal(new long[] { 0x4000, 0x7ff000, 1, 2, 2 }, t.Keys.ToArray());
        var noI = FromText(text, new TraceOptions { Format = TraceFormat.Lackey, PageSize = 16, NoInstructions = true });
        Assert.Equal(new long[] { 0x7ff00039, 0x1ff, 0x200, 0x200 }, noI.Keys.ToArray());
    }

    [Fact]
    public void LackeyCacheLabTraces()
    {
        var opt = new TraceOptions { Format = TraceFormat.Lackey, PageSize = 16 };
        Assert.Equal(new long[] { 1, 2, 2, 2, 1, 0x11, 0x21, 1, 1 }, TraceLoader.Load(PathOf("yi.trace"), opt).Keys.ToArray());
        Assert.Equal(5, TraceLoader.Load(PathOf("dave.trace"), opt).Count);
        // trans.trace: 198 L/S + 20 M (twice) = 238, the hits + misses of the handout
        var trans = TraceLoader.Load(PathOf("trans.trace"), opt with { NoInstructions = true });
        Assert.Equal(238, trans.Count);
    }

    [Fact]
    public void LackeyMalformedLineIsNamed()
    {
        var ex = Assert.Throws<InputException>(() =>
            FromText(" L 10,4\n L zz,4\n", new TraceOptions { Format = TraceFormat.Lackey }));
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void OracleGeneralTruncatedRecordNamesTheByteOffset()
    {
        var bytes = new byte[24 * 2 + 10];
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 77L);
        BitConverter.TryWriteBytes(bytes.AsSpan(28), 78L);
        var opt = new TraceOptions { Format = TraceFormat.OracleGeneral };
        using var r = TraceLoader.Open("-", opt, () => new MemoryStream(bytes));
        var ex = Assert.Throws<InputException>(() => TraceLoader.ReadAll(r, "x", "oracleGeneral"));
        Assert.Contains("byte offset 48", ex.Message);
    }

    [Fact]
    public void GzipOracleGeneralAndZstdTxtHoldTheSameTrace()
    {
        var bin = CloudPhysicsIO;
        var txt = TraceLoader.Load(PathOf("cloudPhysicsIO.txt.zst"), new TraceOptions { Format = TraceFormat.Txt });
        Assert.Equal(113872, txt.Count);
        Assert.True(bin.Keys.SequenceEqual(txt.Keys));
        Assert.Equal(48974, txt.Distinct);
    }

    [Fact]
    public void NextUsePrePass()
    {
        var t = Refs(1, 2, 1, 3, 2);
        Assert.Equal(new[] { 2, 4, int.MaxValue, int.MaxValue, int.MaxValue }, t.NextUse);
        Assert.Equal(3, t.Distinct);
    }

    [Fact]
    public void FramesAcceptPercentagesOfDistinctPages()
    {
        Assert.Equal(new[] { 100, 1000, 4897 }, ReplayRunner.ParseFrames("100,1000,10%", () => 48974));
        Assert.Throws<InputException>(() => ReplayRunner.ParseFrames("0", () => 10));
        Assert.Throws<InputException>(() => ReplayRunner.ParseFrames("abc", () => 10));
        Assert.Throws<InputException>(() => ReplayRunner.ParseFrames("150%", () => 10));
    }
}
