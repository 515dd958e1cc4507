using System.Diagnostics;

namespace Flagger.AppHost;

internal enum PrometheusKind
{
    Binary,
    Container,
    Missing,
}

/// <summary>Where Prometheus comes from: the binary on PATH, else a container, else eng/prerequisites.sh installs it.</summary>
internal sealed record PrometheusSource(PrometheusKind Kind, string? Path, string Description)
{
    public const string InstallCommand = "./eng/prerequisites.sh   (apt-get as root or with sudo, or brew: installs prometheus)";

    public static PrometheusSource Choose(string repoRoot, Func<ContainerRuntimeProbe> containerRuntime, Func<string, string?>? find = null, Func<string, int>? install = null)
    {
        find ??= name => Tools.Find(name);
        install ??= RunPrerequisites;
        if (find("prometheus") is { } onPath)
        {
            return new(PrometheusKind.Binary, onPath, $"the prometheus binary on PATH ({onPath})");
        }

        if (containerRuntime() is { Answers: true } runtime)
        {
            return new(PrometheusKind.Container, null, $"the prom/prometheus container (prometheus is not on PATH; {runtime.Detail})");
        }

        var script = System.IO.Path.Combine(repoRoot, "eng", "prerequisites.sh");
        Console.WriteLine($"flagger-apphost: prometheus is not on PATH and no container runtime answers: running {script}");
        var exit = install(script);
        if (find("prometheus") is { } installed)
        {
            return new(PrometheusKind.Binary, installed, $"the prometheus binary installed by eng/prerequisites.sh ({installed})");
        }

        return new(PrometheusKind.Missing, null,
            $"MISSING: eng/prerequisites.sh exited {exit} and prometheus is still not on PATH; canary analysis cannot query metrics. Install it with: {InstallCommand}, then restart");
    }

    /// <summary>Prometheus flags: loopback only, 2h retention, lifecycle API for reloads.</summary>
    public static string[] Args(string configFile, string dataDir, int port) =>
    [
        $"--config.file={configFile}",
        $"--storage.tsdb.path={dataDir}",
        "--storage.tsdb.retention.time=2h",
        $"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        "--log.level=warn",
    ];

    private static int RunPrerequisites(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
