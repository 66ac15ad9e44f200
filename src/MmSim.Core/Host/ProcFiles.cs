namespace MmSim.Host;

/// <summary>Reads of a /proc tree where a process may exit at any moment: a vanished file is null, not an error.</summary>
internal static class ProcFiles
{
    public static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }              // gone (ENOENT, ESRCH) or a read error mid-exit
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>A file holding one integer, e.g. oom_score or oom_score_adj; null if gone or not a number.</summary>
    public static long? TryReadLong(string path)
    {
        string? text = TryRead(path);
        return text is not null && long.TryParse(text.Trim(), out long v) ? v : null;
    }

    /// <summary>Field 22 of /proc/PID/stat, <c>starttime</c> in clock ticks after boot (comm may hold spaces and
    /// parentheses, so fields are counted from the last ')').</summary>
    public static long? TryReadStartTime(string statPath)
    {
        string? text = TryRead(statPath);
        if (text is null) return null;
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 is fields[19].
        return fields.Length > 19 && long.TryParse(fields[19], out long v) ? v : null;
    }
}
