using System.Globalization;
using System.Runtime.InteropServices;
using Flagger.Simulator;

// The simulator process: parse flags, start a SimulatedCluster, print its URL, stop on SIGTERM/SIGINT.
if (args is ["--help" or "-h" or "-help"])
{
    Console.WriteLine(CommandLine.Help);
    return 0;
}

if (!CommandLine.TryParse(args, out var options, out var kubeconfig, out var error))
{
    await Console.Error.WriteLineAsync($"flagger-simulator: {error}");
    await Console.Error.WriteLineAsync(CommandLine.Usage);
    return 2;
}

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.TrySetResult(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.TrySetResult(); });

await using (var cluster = await SimulatedCluster.StartAsync(options, kubeconfig))
{
    foreach (var file in CommandLine.Manifests)
    {
        try
        {
            cluster.Apply(await File.ReadAllTextAsync(file));
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"flagger-simulator: --apply {file}: {ex.Message}");
            return 2;
        }
    }

    var telemetry = cluster.TelemetryUrl is null ? "" : $" telemetry {cluster.TelemetryUrl}";
    Console.WriteLine($"flagger-simulator listening on {cluster.Url.ToString().TrimEnd('/')} kubeconfig {cluster.KubeconfigPath}{telemetry}");
    await stop.Task;
}

return 0;

/// <summary>Command-line flags of the simulator process.</summary>
internal static class CommandLine
{
    public const string Usage =
        "usage: flagger-simulator --port <n> --kubeconfig <file> [--apply <manifest.yaml>]... [--telemetry-port <n>] [--token <t>] [--workload-delay-ms <n>] [--traffic-tick-ms <n>] [--watch-history <n>] [--nodes <n>] [--rbac]";

    /// <summary>The usage line and one line per flag, printed by <c>--help</c>.</summary>
    public const string Help = Usage + """


        A Kubernetes-API-compatible server for machines without a cluster (see "The simulated cluster" in README.md).

          --port <n>               API port on 127.0.0.1 (0 picks a free one)
          --kubeconfig <file>      where to write a kubeconfig for kubectl and clients
          --apply <manifest.yaml>  create or replace every document at start, in order (repeatable)
          --telemetry-port <n>     serve the traffic model's Prometheus /metrics on this port (off unless given)
          --token <t>              bearer token clients must send (a missing token is anonymous)
          --workload-delay-ms <n>  delay before the workload controller reports rollouts (default 1000)
          --traffic-tick-ms <n>    traffic model tick (default 500)
          --watch-history <n>      changes kept per kind for watch resume (default 5000)
          --nodes <n>              number of nodes (default 1)
          --rbac                   authorize requests by the RBAC objects applied (the kubeconfig's token is cluster-admin)
          --help                   print this help
        """;

    /// <summary>Manifests given with <c>--apply</c>, applied in order after start.</summary>
    public static List<string> Manifests { get; } = [];

    public static bool TryParse(string[] args, out SimulatorOptions options, out string? kubeconfig, out string error)
    {
        options = new SimulatorOptions { LogToConsole = true };
        kubeconfig = null;
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (flag == "--rbac")
            {
                options = options with { EnforceRbac = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{flag}: missing value";
                return false;
            }

            var value = args[++i];
            int Int() => ParseInt(flag, value);

            try
            {
                options = flag switch
                {
                    "--port" => options with { Port = Int() },
                    "--telemetry-port" => options with { TelemetryPort = Int() },
                    "--token" => options with { Token = value },
                    "--workload-delay-ms" => options with { WorkloadDelay = TimeSpan.FromMilliseconds(Int()) },
                    "--traffic-tick-ms" => options with { TrafficTick = TimeSpan.FromMilliseconds(Int()) },
                    "--watch-history" => options with { WatchHistory = Int() },
                    "--nodes" => options with { Nodes = Int() },
                    "--kubeconfig" or "--apply" => options,
                    _ => throw new FormatException($"unknown flag {flag}"),
                };
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return false;
            }

            if (flag == "--kubeconfig")
            {
                kubeconfig = Path.GetFullPath(value);
            }

            if (flag == "--apply")
            {
                Manifests.Add(Path.GetFullPath(value));
            }
        }

        return true;
    }

    private static int ParseInt(string flag, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{flag}: invalid value \"{value}\": must be an integer");
}
