namespace MmSim.Tests;

/// <summary>
/// One temporary directory for the files a test run writes (scenarios, traces, plots), removed when the test
/// process exits: tests that wrote straight into /tmp left thousands of files behind over a few runs.
/// </summary>
internal static class TestTemp
{
    public static readonly string Dir = Create();

    private static string Create()
    {
        string dir = Directory.CreateTempSubdirectory("mmsim-tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }                 // a file still open: the OS's temp cleaning takes it
            catch (UnauthorizedAccessException) { }
        };
        return dir;
    }
}
