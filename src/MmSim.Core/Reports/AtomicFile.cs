namespace MmSim.Reports;

/// <summary>Writes a file through a temporary beside it and a rename, so a failed run never leaves half a file
/// over a good one.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new InputException(path, 0, $"cannot write: directory {dir} does not exist");
        string tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write)) write(s);
            File.Move(tmp, full, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InputException(path, 0, $"cannot write: {e.Message}");
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
