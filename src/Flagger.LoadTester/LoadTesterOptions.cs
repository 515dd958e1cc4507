using System.Net;
using System.Text.RegularExpressions;

namespace Flagger.LoadTester;

/// <summary>The loadtester's settings; flags as upstream's <c>cmd/loadtester/main.go</c> plus <c>-state-dir</c>.</summary>
internal sealed record LoadTesterOptions
{
    /// <summary><c>-port</c>, default 9090 (the Helm chart runs <c>-port=8080</c>).</summary>
    public int Port { get; init; } = 9090;

    /// <summary>The interface to listen on; all interfaces like Go's <c>":port"</c>. Tests use loopback.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.IPv6Any;

    /// <summary><c>-timeout</c>: limit of every task (cmd, bash, kubectl, helm), default 1h.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>-namespace-regexp</c>: only payloads whose namespace matches (unanchored, like Go's MatchString) are served.</summary>
    public Regex? NamespaceRegexp { get; init; }

    /// <summary><c>-log-level</c>: debug, info, warning (warn), error. Default debug, as upstream.</summary>
    public string LogLevel { get; init; } = "debug";

    /// <summary><c>-zap-encoding</c>: <c>json</c> (default) or <c>console</c>.</summary>
    public string LogEncoding { get; init; } = "json";

    /// <summary>
    /// <c>-state-dir</c> / env <c>LOADTESTER_STATE_DIR</c>: folder of <c>gates.json</c>, which keeps gate and rollback
    /// state across restarts (upstream keeps it only in memory). Default <c>/tmp/flagger-loadtester</c>-style temp
    /// folder; mount a volume there to survive pod restarts. Empty string = in memory only, as upstream.
    /// </summary>
    public string? StateDir { get; init; } = Path.Combine(Path.GetTempPath(), "flagger-loadtester");

    /// <summary>
    /// <c>-max-body-bytes</c> / env <c>LOADTESTER_MAX_BODY_BYTES</c>: the largest request body served, default 1 MiB
    /// (a webhook payload is a few hundred bytes); a larger body gets <c>413</c> before it is read.
    /// </summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;
}
