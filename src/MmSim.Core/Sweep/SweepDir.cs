using System.Text.Json;
using System.Text.Json.Serialization;

namespace MmSim.Sweep;

/// <summary>What DIR/sweep.json records: which sweep file wrote the folder (its SHA-256, checked by every later
/// command), the trace files its globs matched and their lengths (so shards need not read every trace to find
/// the split), and the shard count last used.</summary>
public sealed class SweepManifest
{
    [JsonPropertyName("mmsim_sweep")] public int Version { get; set; } = 1;
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("sweep_file")] public string SweepFile { get; set; } = "";
    [JsonPropertyName("sweep_sha256")] public string SweepSha256 { get; set; } = "";
    [JsonPropertyName("cells")] public int Cells { get; set; }
    [JsonPropertyName("shards")] public int Shards { get; set; }
    [JsonPropertyName("traces")] public List<ManifestTrace> Traces { get; set; } = [];
}

public sealed class ManifestTrace
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("requests")] public long Requests { get; set; }
}

/// <summary>
/// The results folder of a sweep:
/// <c>sweep.json</c> (the manifest), <c>results/CELL.sIofN.json</c> (one per finished cell, written by shard I of
/// N through a temporary file and a rename), <c>results/CELL.sIofN.failed</c> (the error of a failed cell),
/// <c>logs/</c> (batch schedulers' output), and what merge writes (<c>results.csv</c>, <c>results.parquet</c>).
/// </summary>
public sealed class SweepDir
{
    public const string ManifestName = "sweep.json";
    public string Path { get; }
    public string ResultsPath => System.IO.Path.Combine(Path, "results");
    public string LogsPath => System.IO.Path.Combine(Path, "logs");
    public SweepManifest Manifest { get; private set; }

    private SweepDir(string path, SweepManifest manifest)
    {
        Path = path;
        Manifest = manifest;
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string ManifestPath(string dir) => System.IO.Path.Combine(dir, ManifestName);

    public static SweepManifest? ReadManifest(string dir)
    {
        string mp = ManifestPath(dir);
        if (!File.Exists(mp)) return null;
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllBytes(mp), Json)
                   ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InputException(mp, 0, $"not a sweep manifest: {e.Message}");
        }
    }

    /// <summary>Opens (or creates) DIR for <paramref name="plan"/>: a folder written by another sweep file is an
    /// error; the trace lengths come from the manifest when it has them, otherwise the traces are read once and
    /// the manifest written.</summary>
    public static SweepDir Prepare(string dir, SweepPlan plan, int shards = 0, int jobs = 0)
    {
        var m = ReadManifest(dir);
        if (m is not null)
        {
            CheckSameSweep(dir, m, plan.Spec);
            if (m.Traces.Count != plan.TraceFiles.Count || m.Cells != plan.Cells.Count
                || m.Traces.Where((t, i) => t.Path != plan.TraceFiles[i].Path).Any())
                throw new InputException(plan.Spec.SourceName, 0,
                    $"the trace globs now match other files than when {dir} was started ({m.Traces.Count} traces, {m.Cells} cells then, {plan.TraceFiles.Count} traces, {plan.Cells.Count} cells now); use a new --out folder");
            plan.SetRequests(m.Traces.Select(t => t.Requests).ToList());
            var d = new SweepDir(dir, m);
            Directory.CreateDirectory(d.ResultsPath);
            if (shards > 0 && m.Shards != shards)
            {
                m.Shards = shards;
                d.WriteManifest();
            }
            return d;
        }
        if (File.Exists(dir)) throw new InputException(dir, 0, "is a file; expected a results folder");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(e => !OwnEntry(System.IO.Path.GetFileName(e))))
            throw new InputException(dir, 0, $"exists, is not empty and has no {ManifestName}: not a sweep results folder");
        if (!plan.Spec.IsScenario) plan.CountRequests(jobs);
        m = new SweepManifest
        {
            Name = plan.Spec.Name,
            SweepFile = System.IO.Path.GetFullPath(plan.Spec.SourceName),
            SweepSha256 = plan.Spec.Hash,
            Cells = plan.Cells.Count,
            Shards = shards,
            Traces = plan.TraceFiles.Select(t => new ManifestTrace { Path = t.Path, Requests = t.Requests }).ToList(),
        };
        Directory.CreateDirectory(dir);
        var created = new SweepDir(dir, m);
        Directory.CreateDirectory(created.ResultsPath);
        created.WriteManifest();
        return created;
    }

    // What a sweep writes before its manifest exists (shards starting together on a fresh folder).
    private static bool OwnEntry(string name) => name.StartsWith('.') || name is "logs" or "results";

    /// <summary>Opens an existing DIR with the sweep file its manifest names (status, merge, report).</summary>
    public static (SweepDir Dir, SweepPlan Plan) Open(string dir, string? sweepFile = null)
    {
        if (!Directory.Exists(dir)) throw new InputException(dir, 0, "no such results folder");
        var m = ReadManifest(dir) ?? throw new InputException(dir, 0, $"has no {ManifestName}: not a sweep results folder");
        string file = sweepFile ?? m.SweepFile;
        if (!File.Exists(file))
            throw new InputException(ManifestPath(dir), 0, $"the sweep file {file} is gone; give it with --sweep FILE");
        var spec = SweepParser.Load(file);
        CheckSameSweep(dir, m, spec);
        var plan = SweepPlan.Enumerate(spec);
        if (plan.TraceFiles.Count != m.Traces.Count || plan.Cells.Count != m.Cells)
            throw new InputException(file, 0, $"the trace globs now match other files than when {dir} was started ({m.Cells} cells then, {plan.Cells.Count} now)");
        plan.SetRequests(m.Traces.Select(t => t.Requests).ToList());
        var d = new SweepDir(dir, m);
        return (d, plan);
    }

    private static void CheckSameSweep(string dir, SweepManifest m, SweepSpec spec)
    {
        if (m.SweepSha256 != spec.Hash)
            throw new InputException(dir, 0,
                $"was written by a different sweep file ({m.SweepFile}, sha256 {m.SweepSha256[..Math.Min(12, m.SweepSha256.Length)]}…) than {spec.SourceName} (sha256 {spec.Hash[..12]}…); use a new --out folder");
    }

    public void WriteManifest() =>
        WriteAtomic(ManifestPath(Path), JsonSerializer.SerializeToUtf8Bytes(Manifest, Json));

    public static string WriterTag(int shard, int shards) => $"s{shard}of{shards}";

    public string ResultFile(string cellId, string tag) => System.IO.Path.Combine(ResultsPath, $"{cellId}.{tag}.json");
    public string FailedFile(string cellId, string tag) => System.IO.Path.Combine(ResultsPath, $"{cellId}.{tag}.failed");

    /// <summary>Writes the bytes to a temporary file beside <paramref name="path"/>, flushes them to the disk and
    /// renames it into place: a reader (or a shard killed at any moment) sees the whole file or none. The temporary
    /// name is random as well as per process: pods on one volume all have PID 1.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        string dir = System.IO.Path.GetDirectoryName(path)!;
        string tmp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(path)}.tmp-{Environment.ProcessId}-{System.IO.Path.GetRandomFileName()}");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>What DIR/results holds: for each cell id, where its results are (loose files and lines of packs)
    /// and its failure files. Packs are read whole; a loose file only when merged.</summary>
    public ResultScan Scan()
    {
        var scan = new ResultScan();
        if (!Directory.Exists(ResultsPath)) return scan;
        var packs = new List<(string Tag, string File)>();
        foreach (var full in Directory.EnumerateFiles(ResultsPath))
        {
            string name = System.IO.Path.GetFileName(full);
            if (name.StartsWith('.')) continue; // a temporary file of a shard that was killed or is still writing
            var parts = name.Split('.');
            if (parts.Length < 3) continue;
            if (parts[0] == "pack" && parts[^1] == "jsonl") packs.Add((parts[1], full));
            else if (parts[^1] == "json") scan.AddDone(parts[0], new ResultEntry(parts[1], full, null));
            else if (parts[^1] == "failed") scan.Failed.TryAdd(parts[0], new ResultEntry(parts[1], full, null));
        }
        foreach (var (tag, file) in packs)
        {
            byte[] bytes = File.ReadAllBytes(file);
            int start = 0;
            while (start < bytes.Length)
            {
                int nl = Array.IndexOf(bytes, (byte)'\n', start);
                if (nl < 0) nl = bytes.Length;
                var line = new ReadOnlyMemory<byte>(bytes, start, nl - start);
                if (line.Length > 0) scan.AddDone(CellIdOf(line.Span, file), new ResultEntry(tag, file, line));
                start = nl + 1;
            }
        }
        return scan;
    }

    private static ReadOnlySpan<byte> IdPrefix => "{\"cell\":\""u8;

    /// <summary>The cell id of a result line: it starts {"cell":"ID" (as <see cref="CellResult"/> writes it).</summary>
    private static string CellIdOf(ReadOnlySpan<byte> line, string file)
    {
        if (line.StartsWith(IdPrefix))
        {
            int end = line[IdPrefix.Length..].IndexOf((byte)'"');
            if (end > 0) return System.Text.Encoding.UTF8.GetString(line.Slice(IdPrefix.Length, end));
        }
        throw new InputException(file, 0, "a line does not start with {\"cell\":\"ID\": not a sweep results pack");
    }

    /// <summary>Gathers the loose result files shard <paramref name="tag"/> wrote into one pack
    /// (pack.TAG.UNIQUE.jsonl, one result per line; written to a temporary file, flushed, renamed) and then deletes
    /// them: merge and status then read a few files instead of one per cell. Killed between the rename and the
    /// deletes, a cell is in both, from the same shard: counted once.</summary>
    public int Pack(string tag)
    {
        var loose = Directory.EnumerateFiles(ResultsPath, $"*.{tag}.json")
            .Where(f => !System.IO.Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToList();
        if (loose.Count == 0) return 0;
        using var ms = new MemoryStream();
        foreach (var f in loose)
        {
            var b = File.ReadAllBytes(f);
            int len = b.Length;
            while (len > 0 && b[len - 1] is (byte)'\n' or (byte)'\r') len--;
            ms.Write(b, 0, len);
            ms.WriteByte((byte)'\n');
        }
        string unique = $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Environment.ProcessId}";
        WriteAtomic(System.IO.Path.Combine(ResultsPath, $"pack.{tag}.{unique}.jsonl"), ms.GetBuffer().AsSpan(0, (int)ms.Length));
        foreach (var f in loose) File.Delete(f);
        return loose.Count;
    }
}

/// <summary>One stored result (or failure): the shard run that wrote it ("s2of7"), the file, and for a pack the
/// line.</summary>
public sealed record ResultEntry(string Tag, string File, ReadOnlyMemory<byte>? Line);

/// <summary>Results and failures by cell id: the first entry found of each cell, and any further ones (rare: a
/// cell stored twice) apart, so a million cells cost a million entries, not a million lists.</summary>
public sealed class ResultScan
{
    public Dictionary<string, ResultEntry> Done { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<ResultEntry>> MoreDone { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ResultEntry> Failed { get; } = new(StringComparer.Ordinal);

    internal void AddDone(string id, ResultEntry e)
    {
        if (Done.TryAdd(id, e)) return;
        if (!MoreDone.TryGetValue(id, out var l)) MoreDone[id] = l = new List<ResultEntry>(1);
        l.Add(e);
    }

    /// <summary>Every entry of a cell that is done.</summary>
    public IEnumerable<ResultEntry> EntriesOf(string id)
    {
        if (!Done.TryGetValue(id, out var first)) yield break;
        yield return first;
        if (MoreDone.TryGetValue(id, out var more)) foreach (var e in more) yield return e;
    }
}
