using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MmSim.Web.Lab;
using MmSim.Workloads;

namespace MmSim.Web;

/// <summary>
/// <c>mmsim serve</c>: the web lab. Kestrel with ASP.NET Core minimal APIs; the page (HTML, scripts, styles,
/// strings, uPlot) is embedded in this assembly. Endpoints: GET /api/scenarios, GET /api/scenarios/NAME (YAML),
/// POST /api/run, POST /api/replay, POST /api/translate, GET /api/languages; everything else is a static asset.
/// </summary>
public static class WebLab
{
    public static WebApplication Build(WebLabOptions o)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(o);
        builder.Services.AddSingleton<RunService>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = o.MaxBodyBytes * DrainFactor;
            k.AddServerHeader = false;
            if (o.Host == "localhost") k.ListenLocalhost(o.Port);
            else if (IPAddress.TryParse(o.Host, out var ip)) k.Listen(ip, o.Port);
            else throw new InputException("--host", 0, $"expected an IP address or localhost, got '{o.Host}'");
        });
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            // Everything the page needs is served from here: nothing may load from another site.
            ctx.Response.Headers["Content-Security-Policy"] =
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";
            ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
            await next();
        });
        Map(app, o);
        return app;
    }

    /// <summary>The address the server listens on, once started (with the port Kestrel picked for port 0).</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static void Map(WebApplication app, WebLabOptions o)
    {
        app.MapGet("/api/scenarios", () => Results.Content(Scenarios(), "application/json; charset=utf-8"));
        app.MapGet("/api/scenarios/{name}", (string name) => BuiltinScenarios.Exists(name)
            ? Results.Text(BuiltinScenarios.Text(name), "text/yaml; charset=utf-8")
            : Json(ApiResult.Error(404, $"no built-in scenario '{name}'")));
        app.MapGet("/api/languages", () => Results.Json(Assets.Languages));

        app.MapPost("/api/run", async (HttpContext ctx, RunService runs) =>
        {
            var (body, error) = await ReadBody(ctx, o);
            if (error is not null) return Json(error);
            List<(string, string)> overrides;
            try
            {
                overrides = ctx.Request.Query["set"].Select(s => ScenarioOverrides.ParseAssignment(s ?? "", "set")).ToList();
            }
            catch (InputException e)
            {
                return Json(ApiResult.BadInput(e.Format(), 0));
            }
            string? builtin = ctx.Request.Query["builtin"].FirstOrDefault();
            var result = await runs.RunAsync(body!, builtin, overrides, ctx.RequestAborted);
            if (result.WallMs is double ms) ctx.Response.Headers["X-Mmsim-Wall-Ms"] = ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Json(result);
        });
        app.MapPost("/api/replay", async (HttpContext ctx) =>
        {
            var (body, error) = await ReadBody(ctx, o);
            return Json(error ?? ReplayService.Run(body!));
        });
        app.MapPost("/api/translate", async (HttpContext ctx, RunService runs) =>
        {
            var (body, error) = await ReadBody(ctx, o);
            if (error is not null) return Json(error);
            try
            {
                using var doc = JsonDocument.Parse(body!);
                if (WalkService.Wants(doc.RootElement)) return Json(await WalkService.RunAsync(doc.RootElement, runs, ctx.RequestAborted));
            }
            catch (JsonException)
            {
                // TranslateService answers it with the parser's message.
            }
            return Json(TranslateService.Run(body!));
        });
        app.MapFallback("/api/{**rest}", () => Json(ApiResult.Error(404, "no such API endpoint")));

        app.MapGet("/", (HttpContext ctx) =>
        {
            string lang = Assets.PickLanguage(ctx.Request.Headers.AcceptLanguage.ToString());
            string html = Assets.Text("index.html")!.Replace("__LANG__", lang);
            ctx.Response.Headers.CacheControl = "no-cache";
            return Results.Content(html, "text/html; charset=utf-8");
        });
        app.MapGet("/{**path}", (string path) => Assets.Bytes(path) is { } bytes
            ? Results.Bytes(bytes, Assets.ContentType(path))
            : Results.NotFound());
    }

    private static IResult Json(ApiResult r) => Results.Content(r.Json, "application/json; charset=utf-8", Encoding.UTF8, r.Status);

    /// <summary>The request body as text; a body over the limit is a 413. The body is read to its end (up to
    /// <see cref="DrainFactor"/> times the limit) before answering: a server that answers and closes while the
    /// client is still sending makes the client's TCP stack drop the answer (a reset), so the client would see a
    /// broken connection instead of the 413.</summary>
    private static async Task<(string? Body, ApiResult? Error)> ReadBody(HttpContext ctx, WebLabOptions o)
    {
        string tooLarge = $"the request body is over this server's limit of {o.MaxBodyBytes:N0} bytes";
        if (ctx.Request.ContentLength > o.MaxBodyBytes * DrainFactor)
        {
            ctx.Response.Headers.Connection = "close";
            return (null, ApiResult.Error(413, tooLarge));
        }
        var kept = new MemoryStream();
        var chunk = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
            {
                total += n;
                if (total <= o.MaxBodyBytes) kept.Write(chunk, 0, n);
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ctx.Response.Headers.Connection = "close";
            return (null, ApiResult.Error(413, tooLarge));
        }
        if (total > o.MaxBodyBytes) return (null, ApiResult.Error(413, tooLarge));
        return (Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length), null);
    }

    /// <summary>Bodies up to this many times the limit are read (and dropped) to answer 413 cleanly; beyond, Kestrel's
    /// own limit cuts the connection.</summary>
    private const int DrainFactor = 8;

    private static string Scenarios()
    {
        var list = BuiltinScenarios.Names.Select(n =>
        {
            var s = BuiltinScenarios.Load(n);
            return new Dictionary<string, string?>
            {
                ["name"] = n, ["title"] = s.Title, ["description"] = s.Description?.Trim(),
                ["description_zh"] = s.DescriptionZh?.Trim(),
            };
        });
        return JsonSerializer.Serialize(list, new JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }
}
