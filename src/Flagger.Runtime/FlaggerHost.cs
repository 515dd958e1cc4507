using System.Runtime.InteropServices;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Telemetry;
using Flagger.Runtime.Configuration;
using Flagger.Runtime.Hosting;
using Prometheus;

namespace Flagger.Runtime;

/// <summary>The operator process as a table of contents: each line wires one part; the modules own their behaviour.</summary>
public static class FlaggerHost
{
    /// <summary>Builds the operator from upstream-style flags; errors are printed and returned as an exit code.</summary>
    public static (WebApplication? App, int ExitCode) Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var commandLine = FlaggerCommandLine.Parse(args);
        if (commandLine.VersionRequested)
        {
            Console.WriteLine(FlaggerVersion.Current);
            return (null, 0);
        }

        if (commandLine.Errors.Count > 0)
        {
            foreach (var error in commandLine.Errors)
            {
                Console.Error.WriteLine(error);
            }

            return (null, 2);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(commandLine.Values);
        var options = builder.Configuration.GetSection(FlaggerOptions.Section).Get<FlaggerOptions>() ?? new FlaggerOptions();

        builder.AddServiceDefaults();
        builder.AddFlaggerLogging(options);
        builder.ListenOn(options, portGiven: commandLine.Values.ContainsKey($"{FlaggerOptions.Section}:Port"));
        builder.AddSharedModule();
        try
        {
            builder.AddCluster(options);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            Console.Error.WriteLine($"No Kubernetes API to talk to: {e.Message}. Pass -kubeconfig <file>, set KUBECONFIG, or run in a cluster.");
            return (null, 1);
        }

        builder.AddLeaderElection(options);
        builder.AddFlaggerModules(options);
        customize?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapMetrics("/metrics");
        app.Services.GetRequiredService<FlaggerMetrics>().SetInfo(FlaggerVersion.Current, options.MeshProvider);
        return (app, 0);
    }

    /// <summary>
    /// Runs a built operator until it stops; returns the process exit code. The startup checks run first (waiting out
    /// transient API errors; SIGTERM/SIGINT end the wait): a check that fails for good exits with code 1 and its
    /// message, without starting the host.
    /// </summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var checks = app.Services.GetRequiredService<StartupChecks>();
        bool passed;
        using (var stopping = new CancellationTokenSource())
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop(stopping)))
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop(stopping)))
        {
            try
            {
                passed = await checks.EnsureCheckedAsync(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                passed = false;
            }
        }

        if (!passed)
        {
            await app.DisposeAsync();
            return checks.Failure is null ? 0 : 1;
        }

        await app.RunAsync();
        return Environment.ExitCode;
    }

    private static Action<PosixSignalContext> Stop(CancellationTokenSource stopping) => context =>
    {
        context.Cancel = true;
        stopping.Cancel();
    };
}
