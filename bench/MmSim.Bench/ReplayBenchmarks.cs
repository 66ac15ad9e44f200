using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MmSim.Replay;
using MmSim.Replay.Traces;

namespace MmSim.Bench;

/// <summary>
/// mmsim replay's speed: a 20-million-request Zipf(1.0) trace over a million distinct pages, replayed into 100,000
/// frames (the yardstick: libCacheSim's LRU ≈ 3.8 M req/s, a tight C LRU ≈ 36 M req/s on this machine).
/// Run: dotnet run -c Release --project bench/MmSim.Bench -- --filter '*Replay*'
/// Each operation is one request (OperationsPerInvoke), so the "Mean" column is nanoseconds per request.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ReplayBenchmarks
{
    public const int Requests = 20_000_000;
    public const int Keys = 1_000_000;
    public const int Frames = 100_000;
    private const int TextRequests = 4_000_000;

    private long[] _trace = [];
    private string _oracleFile = "";
    private string _textFile = "";
    private long _textBytes;

    [Params("lru", "fifo", "clock", "sieve")]
    public string Policy { get; set; } = "lru";

    [GlobalSetup]
    public void Setup()
    {
        _trace = ZipfTrace.Generate(Requests, Keys, 1.0, 1);
        string dir = Path.Combine(Path.GetTempPath(), "mmsim-bench");
        Directory.CreateDirectory(dir);
        _oracleFile = Path.Combine(dir, "zipf-20M-1M.oracleGeneral.bin");
        if (!File.Exists(_oracleFile) || new FileInfo(_oracleFile).Length != Requests * 24L)
            ZipfTrace.WriteOracleGeneral(_oracleFile, _trace);
        _textFile = Path.Combine(dir, "zipf-4M-1M.txt");
        if (!File.Exists(_textFile)) ZipfTrace.WriteKeys(_textFile, _trace.AsSpan(0, TextRequests));
        _textBytes = new FileInfo(_textFile).Length;
    }

    /// <summary>The policy alone, keys already in memory.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public long InMemory()
    {
        var p = PolicyRegistry.Create(Policy, Frames);
        ReplayRunner.Replay(p, _trace);
        return p.Misses;
    }

    /// <summary>End to end from the oracleGeneral file: read, decode and replay in 64 Ki-request batches.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public long FromOracleGeneralFile()
    {
        var p = PolicyRegistry.Create(Policy, Frames);
        using var reader = TraceLoader.Open(_oracleFile, new TraceOptions { Format = TraceFormat.OracleGeneral });
        ReplayRunner.Replay(p, reader);
        return p.Misses;
    }
}

/// <summary>Trace parsing speed (MB/s = file bytes / time). The text file is 4 M decimal keys (~80 MB).</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ReplayParseBenchmarks
{
    private string _textFile = "";
    private string _oracleFile = "";
    private readonly long[] _buffer = new long[ReplayRunner.BatchSize];

    [GlobalSetup]
    public void Setup()
    {
        var b = new ReplayBenchmarks();
        b.Setup();
        string dir = Path.Combine(Path.GetTempPath(), "mmsim-bench");
        _textFile = Path.Combine(dir, "zipf-4M-1M.txt");
        _oracleFile = Path.Combine(dir, "zipf-20M-1M.oracleGeneral.bin");
        Console.WriteLine($"// text file {new FileInfo(_textFile).Length} bytes, oracleGeneral file {new FileInfo(_oracleFile).Length} bytes");
    }

    [Benchmark]
    public long ParseKeysText() => Drain(TraceLoader.Open(_textFile, new TraceOptions { Format = TraceFormat.Keys }));

    [Benchmark]
    public long ParseOracleGeneral() => Drain(TraceLoader.Open(_oracleFile, new TraceOptions { Format = TraceFormat.OracleGeneral }));

    private long Drain(ITraceReader r)
    {
        using (r)
        {
            long sum = 0;
            int n;
            while ((n = r.Read(_buffer)) > 0) sum += n;
            return sum;
        }
    }
}
