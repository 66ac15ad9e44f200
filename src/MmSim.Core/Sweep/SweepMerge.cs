using System.Text.Json;

namespace MmSim.Sweep;

/// <summary>Every cell's result gathered from DIR/results, checked against the cell list: missing cells (never
/// written, or only failed), duplicated cells (written by two different shard runs), and the results in cell
/// order.</summary>
public sealed class SweepMergeResult
{
    public required int Cells { get; init; }
    public required IReadOnlyList<CellResult> Results { get; init; }
    public required IReadOnlyList<SweepCell> Missing { get; init; }
    public required IReadOnlyList<(SweepCell Cell, IReadOnlyList<string> Files)> Duplicated { get; init; }
    /// <summary>Missing cells whose last attempt failed, with the error.</summary>
    public required IReadOnlyDictionary<string, string> Failed { get; init; }
    public bool Complete => Missing.Count == 0 && Duplicated.Count == 0;
}

public static class SweepMerge
{
    public static SweepMergeResult Gather(SweepPlan plan, SweepDir dir, int jobs = 0)
    {
        var scan = dir.Scan();
        var cells = plan.Cells;
        var results = new CellResult?[cells.Count];
        var missing = new List<SweepCell>();
        var dup = new List<(SweepCell, IReadOnlyList<string>)>();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var toRead = new List<(int Index, ResultEntry Entry)>(cells.Count);
        foreach (var c in cells)
        {
            if (scan.Done.TryGetValue(c.Id, out var first))
            {
                // Two different shard runs (splits) stored it: their split overlapped, which is a mistake to show.
                // The same shard run twice (a rerun racing, a pack interrupted before its deletes) is not.
                if (scan.MoreDone.TryGetValue(c.Id, out var more) && more.Any(e => e.Tag != first.Tag))
                    dup.Add((c, scan.EntriesOf(c.Id).Select(e => Path.GetFileName(e.File)).Distinct().Order(StringComparer.Ordinal).ToList()));
                toRead.Add((c.Index, first));
            }
            else
            {
                missing.Add(c);
                if (scan.Failed.TryGetValue(c.Id, out var ff))
                    failed[c.Id] = File.ReadAllText(ff.File).Trim();
            }
        }
        Parallel.For(0, toRead.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount }, i =>
        {
            var (index, entry) = toRead[i];
            string file = entry.File;
            CellResult r;
            try
            {
                r = CellResult.FromUtf8(entry.Line is { } line ? line.Span : File.ReadAllBytes(file));
            }
            catch (JsonException e)
            {
                throw new InputException(file, 0, $"not a cell result: {e.Message}");
            }
            if (r.Cell != cells[index].Id)
                throw new InputException(file, 0, $"holds cell {r.Cell}, expected {cells[index].Id}");
            results[index] = r;
        });
        return new SweepMergeResult
        {
            Cells = cells.Count,
            Results = results.OfType<CellResult>().ToList(),
            Missing = missing,
            Duplicated = dup,
            Failed = failed,
        };
    }
}
