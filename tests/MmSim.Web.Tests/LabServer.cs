using System.Net.Http;
using Microsoft.AspNetCore.Builder;
using MmSim.Web;
using MmSim.Web.Lab;

namespace MmSim.Web.Tests;

/// <summary>The real server (Kestrel) on a free loopback port, and a client for it.</summary>
public sealed class LabServer : IAsyncDisposable
{
    public WebApplication App { get; }
    public string Url { get; }
    public HttpClient Client { get; }

    private LabServer(WebApplication app)
    {
        App = app;
        Url = WebLab.Address(app).TrimEnd('/') + "/";
        Client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public static async Task<LabServer> StartAsync(WebLabOptions? options = null)
    {
        var o = options ?? new WebLabOptions();
        var app = WebLab.Build(new WebLabOptions
        {
            Host = o.Host, Port = 0, MaxBodyBytes = o.MaxBodyBytes, MaxAccesses = o.MaxAccesses, MaxSteps = o.MaxSteps,
            TimeLimit = o.TimeLimit, MaxMemoryBytes = o.MaxMemoryBytes, MaxConcurrent = o.MaxConcurrent,
            QueueWait = o.QueueWait, MaxTimelinePoints = o.MaxTimelinePoints,
        });
        await app.StartAsync();
        return new LabServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>One server shared by the tests of a class (xunit class fixture).</summary>
public sealed class SharedServer : IAsyncLifetime
{
    public LabServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await LabServer.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
