using System.Text;

namespace MmSim.Reports;

/// <summary>The timeline as CSV: one row per sample, meminfo fields in kB and vmstat counters.</summary>
public static class TimelineCsv
{
    public static void Write(string path, IReadOnlyList<TimelineSample> samples) =>
        AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false));
            w.NewLine = "\n";
            w.WriteLine(TimelineSample.CsvHeader + (samples.Count > 0 && samples[0].Psi is not null ? TimelineSample.PsiCsvHeader : ""));
            foreach (var x in samples) w.WriteLine(x.ToCsv());
        });
}
