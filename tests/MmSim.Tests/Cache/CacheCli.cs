using MmSim.Cli;

namespace MmSim.Tests.Cache;

internal static class CacheCli
{
    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Cache", "data", name);

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString().Replace("\r\n", "\n"), e.ToString());
    }

    public static string Temp(string content, string ext = ".trace")
    {
        string p = Path.Combine(TestTemp.Dir, $"mmsim-cache-{Guid.NewGuid():N}{ext}");
        File.WriteAllText(p, content);
        return p;
    }
}
