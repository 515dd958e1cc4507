namespace Flagger.Simulator;

/// <summary>Settings of one simulated cluster; every delay is configurable so tests can run in milliseconds.</summary>
public sealed record SimulatorOptions
{
    /// <summary>API port on 127.0.0.1 (0 picks a free one).</summary>
    public int Port { get; init; }

    /// <summary>Port of the Prometheus <c>/metrics</c> endpoint (traffic model and simulator telemetry); 0 picks a free one, -1 disables it.</summary>
    public int TelemetryPort { get; init; } = -1;

    /// <summary>Bearer token clients must present; a random one when null.</summary>
    public string? Token { get; init; }

    /// <summary>Number of changes per kind kept for watch resume; older resourceVersions answer 410 Gone.</summary>
    public int WatchHistory { get; init; } = 5000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Delay before the workload controller reports a Deployment/DaemonSet generation as rolled out.</summary>
    public TimeSpan WorkloadDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Number of simulated nodes (the desired count of a DaemonSet).</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Period of the traffic model; each tick adds rate × period requests per Service.</summary>
    public TimeSpan TrafficTick { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether the workload controller runs.</summary>
    public bool EnableWorkloadController { get; init; } = true;

    /// <summary>Whether the traffic model runs.</summary>
    public bool EnableTraffic { get; init; } = true;

    /// <summary>
    /// Authorize every request by the Roles, ClusterRoles and bindings applied to the simulator (403 otherwise); the
    /// admin token is in <c>system:masters</c>, <see cref="SimulatedCluster.ServiceAccountToken"/> and
    /// <see cref="SimulatedCluster.UserToken"/> issue others. Off by default (everything is allowed).
    /// </summary>
    public bool EnforceRbac { get; init; }

    /// <summary>Write warnings and errors of the simulator's host to the console.</summary>
    public bool LogToConsole { get; init; }
}
