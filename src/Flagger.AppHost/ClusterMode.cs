using System.Diagnostics;

namespace Flagger.AppHost;

/// <summary>Which cluster backs the local environment.</summary>
internal enum ClusterKind
{
    Simulator,
    K3s,
}

/// <summary>The chosen cluster and the one sentence that explains the choice (logged at start).</summary>
internal sealed record ClusterChoice(ClusterKind Kind, string Reason);

/// <summary>Chooses the cluster: <c>Cluster:Mode</c> (simulator|k3s|auto) wins; auto picks k3s only when a container runtime answers.</summary>
internal static class ClusterMode
{
    /// <param name="configured">The <c>Cluster:Mode</c> setting.</param>
    /// <param name="probe">Asks the container runtime (only in auto mode).</param>
    /// <param name="k3sMissing">What k3s mode would lack (tools); auto mode falls back to the simulator when anything is.</param>
    public static ClusterChoice Choose(string? configured, Func<ContainerRuntimeProbe> probe, Func<IReadOnlyList<string>>? k3sMissing = null)
    {
        switch (configured?.Trim().ToLowerInvariant())
        {
            case "simulator":
                return new(ClusterKind.Simulator, "Cluster:Mode=simulator was given");
            case "k3s":
                return new(ClusterKind.K3s, "Cluster:Mode=k3s was given");
            case null or "" or "auto":
                var runtime = probe();
                if (!runtime.Answers)
                {
                    return new(ClusterKind.Simulator, $"no container runtime answers ({runtime.Detail}); set Cluster:Mode=k3s to force k3s");
                }

                var missing = k3sMissing?.Invoke() ?? [];
                return missing.Count == 0
                    ? new(ClusterKind.K3s, $"a container runtime answers ({runtime.Detail}); set Cluster:Mode=simulator to use the simulated cluster instead")
                    : new(ClusterKind.Simulator, $"a container runtime answers ({runtime.Detail}) but k3s mode lacks: {string.Join("; ", missing)}; set Cluster:Mode=k3s to force k3s");
            default:
                throw new ArgumentException($"Cluster:Mode: unknown value \"{configured}\": use simulator, k3s or auto", nameof(configured));
        }
    }
}

/// <summary>Result of asking the container runtime whether it is there.</summary>
internal sealed record ContainerRuntimeProbe(bool Answers, string Detail)
{
    /// <summary>Runs <c>docker info</c> (or <c>podman info</c> when that is the only CLI), bounded to 10 seconds.</summary>
    public static ContainerRuntimeProbe Run()
    {
        var cli = Tools.Find("docker") ?? Tools.Find("podman");
        if (cli is null)
        {
            return new(false, "neither docker nor podman is on PATH");
        }

        var name = Path.GetFileName(cli);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(cli, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return new(false, $"`{name} info` did not answer within 10s");
            }

            var firstError = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            return process.ExitCode == 0
                ? new(true, $"`{name} info` succeeded")
                : new(false, $"`{name} info` exited {process.ExitCode}{(firstError.Length > 0 ? ": " + firstError : "")}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new(false, $"`{name} info` could not start: {ex.Message}");
        }
    }
}
