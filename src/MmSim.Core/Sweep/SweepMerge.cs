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
        var toRead = new List<(int Index, string File)>(cells.Count);
        foreach (var c in cells)
        {
            if (scan.Done.TryGetValue(c.Id, out var files))
            {
                if (files.Count > 1) dup.Add((c, files.Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()));
                toRead.Add((c.Index, files[0]));
            }
            else
            {
                missing.Add(c);
                if (scan.Failed.TryGetValue(c.Id, out var ff))
                    failed[c.Id] = File.ReadAllText(ff[0]).Trim();
            }
        }
        Parallel.For(0, toRead.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount }, i =>
        {
            var (index, file) = toRead[i];
            CellResult r;
            try
            {
                r = CellResult.FromUtf8(File.ReadAllBytes(file));
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
