using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using MmSim.Web;
using MmSim.Web.Lab;
using MmSim.Workloads;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim serve</c>: the web lab on Kestrel (see MmSim.Web and the README's HTTP API section).</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var d = new WebLabOptions();
        var port = new Option<int>("--port") { Description = "TCP port (0: a free one)", DefaultValueFactory = _ => d.Port };
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0 for every interface: think first)", DefaultValueFactory = _ => d.Host };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser" };
        var maxAccesses = new Option<long>("--max-accesses") { Description = "Work budget of one simulation, in simulated accesses", DefaultValueFactory = _ => d.MaxAccesses };
        var timeLimit = new Option<string>("--time-limit") { Description = "Wall-clock limit of one simulation", DefaultValueFactory = _ => "10s" };
        var maxMemory = new Option<string>("--max-memory") { Description = "Largest machine.memory and machine.swap accepted", DefaultValueFactory = _ => "16GiB" };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "Simulations at once (default: the number of cores)", DefaultValueFactory = _ => d.MaxConcurrent };
        var cmd = new Command("serve", "The web lab: watch and step through the simulation in a browser (English and 中文)")
        {
            port, host, open, maxAccesses, timeLimit, maxMemory, maxConcurrent,
        };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            int p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new InputException("--port", 0, $"expected a port from 0 to 65535, got {p}");
            long budget = parse.GetValue(maxAccesses);
            if (budget <= 0) throw new InputException("--max-accesses", 0, "expected a positive number of accesses");
            long limitNs = Units.ParseTime(parse.GetValue(timeLimit)!, "--time-limit", 0);
            if (limitNs <= 0) throw new InputException("--time-limit", 0, "expected a positive time such as 10s");
            long mem = Units.ParseSize(parse.GetValue(maxMemory)!, "--max-memory", 0);
            if (mem <= 0) throw new InputException("--max-memory", 0, "expected a positive size such as 16GiB");
            int conc = parse.GetValue(maxConcurrent);
            if (conc < 1) throw new InputException("--max-concurrent", 0, "expected 1 or more");
            string h = parse.GetValue(host)!;
            if (h != "localhost" && !System.Net.IPAddress.TryParse(h, out _))
                throw new InputException("--host", 0, $"expected an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, got '{h}'");
            var options = new WebLabOptions
            {
                Host = parse.GetValue(host)!, Port = p, MaxAccesses = budget,
                TimeLimit = TimeSpan.FromTicks(limitNs / 100), MaxMemoryBytes = mem, MaxConcurrent = conc,
            };
            var app = WebLab.Build(options);
            try
            {
                app.Start();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                throw new InputException("--port", 0, $"cannot listen on {options.Host}:{p}: {e.Message}");
            }
            string url = WebLab.Address(app).TrimEnd('/') + "/";
            stdout.WriteLine($"mmsim serve: the web lab is at {url} (Ctrl+C stops it)");
            stdout.Flush();
            if (parse.GetValue(open)) OpenBrowser(url, parse.InvocationConfiguration.Error);
            app.WaitForShutdown();
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void OpenBrowser(string url, TextWriter stderr)
    {
        try
        {
            Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd" : OperatingSystem.IsMacOS() ? "open" : "xdg-open")
            {
                ArgumentList = { OperatingSystem.IsWindows() ? "/c start " + url : url },
                UseShellExecute = false,
            });
        }
        catch (Exception e)
        {
            stderr.WriteLine($"mmsim serve: could not open a browser ({e.Message}); open {url} yourself");
        }
    }
}
