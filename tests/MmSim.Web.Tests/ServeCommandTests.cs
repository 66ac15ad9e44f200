using System.Net;
using System.Net.Sockets;

namespace MmSim.Web.Tests;

/// <summary><c>mmsim serve</c>'s options: bad values are one clear message and exit code 2.</summary>
public sealed class ServeCommandTests
{
    private static (int Code, string Err) Serve(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = MmSim.Cli.Program.Run(["serve", .. args], o, e);
        return (code, e.ToString().Trim());
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "mmsim: --port: expected a port from 0 to 65535, got 70000")]
    [InlineData(new[] { "--host", "example.org" }, "mmsim: --host: expected an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, got 'example.org'")]
    [InlineData(new[] { "--max-accesses", "0" }, "mmsim: --max-accesses: expected a positive number of accesses")]
    [InlineData(new[] { "--max-concurrent", "0" }, "mmsim: --max-concurrent: expected 1 or more")]
    [InlineData(new[] { "--max-memory", "12XB" }, "mmsim: --max-memory: ")]
    public void Bad_options_exit_2_with_one_message(string[] args, string message)
    {
        var (code, err) = Serve(args);
        Assert.Equal(2, code);
        Assert.StartsWith(message, err);
        Assert.DoesNotContain("\n", err);
    }

    [Fact]
    public void A_port_in_use_is_a_clear_error()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, err) = Serve("--port", port.ToString());
        Assert.Equal(2, code);
        Assert.StartsWith($"mmsim: --port: cannot listen on 127.0.0.1:{port}: ", err);
    }
}
