using System.Diagnostics;
using k8s;

namespace Flagger.Simulator.Tests;

public sealed class ProcessTests
{
    [Fact]
    public async Task The_process_writes_a_kubeconfig_prints_its_url_serves_and_stops_cleanly_on_SIGTERM()
    {
        var dir = Directory.CreateTempSubdirectory("sim-proc-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var exe = Path.Combine(AppContext.BaseDirectory, "flagger-simulator");
        var manifest = Path.Combine(dir, "seed.yaml");
        File.WriteAllText(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seeded}\ndata: {from: apply}\n");
        using var process = Process.Start(new ProcessStartInfo(exe, ["--port", "0", "--kubeconfig", kubeconfig, "--telemetry-port", "0", "--workload-delay-ms", "10", "--apply", manifest])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            Assert.Matches("^flagger-simulator listening on http://127\\.0\\.0\\.1:\\d+ ", line);

            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            Assert.StartsWith("http://127.0.0.1:", config.Host);
            Assert.False(string.IsNullOrEmpty(config.AccessToken));
            using var client = new Kubernetes(config);
            var namespaces = await client.CoreV1.ListNamespaceAsync();
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
            Assert.Equal("apply", (await client.CoreV1.ReadNamespacedConfigMapAsync("seeded", "default")).Data["from"]);

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exited.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Bad_flags_exit_with_code_2_and_a_message_naming_the_flag()
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "flagger-simulator");
        using var process = Process.Start(new ProcessStartInfo(exe, ["--port", "abc"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(exited.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--port", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_every_flag_and_exits_0(string flag)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "flagger-simulator");
        using var process = Process.Start(new ProcessStartInfo(exe, [flag]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(exited.Token);
        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("usage: flagger-simulator", output);
        foreach (var documented in new[] { "--port", "--kubeconfig", "--apply", "--telemetry-port", "--token", "--workload-delay-ms", "--traffic-tick-ms", "--watch-history", "--nodes" })
        {
            Assert.Contains($"\n  {documented} ", output);
        }
    }
}
