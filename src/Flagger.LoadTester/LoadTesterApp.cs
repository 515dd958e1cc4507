using Prometheus;

namespace Flagger.LoadTester;

/// <summary>Builds the loadtester web application: Kestrel on <c>-port</c>, prometheus-net on <c>/metrics</c>, the handler for the rest.</summary>
internal static class LoadTesterApp
{
    public const string Version = "0.38.0";

    public static WebApplication Build(LoadTesterOptions options, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Chunked bodies have no Content-Length to check up front: Kestrel stops reading them at the limit.
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            // ListenAnyIP falls back to IPv4 where IPv6 is disabled, as Go's ":port" does.
            if (options.ListenAddress.Equals(System.Net.IPAddress.IPv6Any))
            {
                kestrel.ListenAnyIP(options.Port);
            }
            else
            {
                kestrel.Listen(options.ListenAddress, options.Port);
            }
        });
        builder.Logging.SetMinimumLevel(options.LogLevel switch
        {
            "info" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Debug,
        });
        if (options.LogEncoding == "json")
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }

        // upstream: the HTTP server gets one minute to shut down gracefully.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(1));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GateStore>();
        builder.Services.AddSingleton<ShellCommand>();
        builder.Services.AddSingleton<TaskRunner>();
        builder.Services.AddSingleton<LoadTesterHandler>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMetricServer("/metrics");
        var handler = app.Services.GetRequiredService<LoadTesterHandler>();
        app.Run(handler.HandleAsync);
        return app;
    }
}
