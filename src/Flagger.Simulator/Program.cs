using System.Globalization;
using System.Runtime.InteropServices;
using Flagger.Simulator;

// The simulator process: parse flags, start a SimulatedCluster, print its URL, stop on SIGTERM/SIGINT.
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
        "usage: flagger-simulator --port <n> --kubeconfig <file> [--apply <manifest.yaml>]... [--telemetry-port <n>] [--token <t>] [--workload-delay-ms <n>] [--traffic-tick-ms <n>] [--watch-history <n>] [--nodes <n>]";

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
            if (i + 1 >= args.Length)
            {
                error = $"{flag}: missing value";
                return false;
            }

            var value = args[++i];
            int Int()
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    throw new FormatException($"{flag}: invalid value \"{value}\": must be an integer");
                }

                return n;
            }

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
}
