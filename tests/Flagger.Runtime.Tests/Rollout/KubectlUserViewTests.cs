using System.Diagnostics;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;
using Prometheus;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>What users see with the real kubectl: upstream's columns, <c>kubectl wait --for=condition=promoted</c>; and metric series cleanup.</summary>
[Collection(RolloutCollection.Name)]
public sealed class KubectlUserViewTests
{
    private static string? KubectlPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "kubectl")).FirstOrDefault(File.Exists);

    private static async Task<(int Exit, string Output)> KubectlAsync(RuntimeFixture fixture, string cacheDir, int timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo(KubectlPath()!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "--kubeconfig", fixture.Cluster.KubeconfigPath, "--cache-dir", cacheDir, "--request-timeout", "20s", "-n", "test" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task<string> ExportMetricsAsync()
    {
        using var stream = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Kubectl_wait_for_promoted_returns_once_promoted_get_shows_upstreams_columns_and_deletion_removes_the_series()
    {
        if (KubectlPath() is null)
        {
            Assert.Skip("kubectl is not installed on this machine (looked on PATH)");
        }

        var ct = TestContext.Current.CancellationToken;
        var cache = Directory.CreateTempSubdirectory("runtime-kubectl-").FullName;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("waitme", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(new Canary
        {
            Metadata = new V1ObjectMeta { Name = "waitme", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                Provider = "kubernetes",
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "waitme" },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, Iterations = 3 },
            },
        });
        await fixture.StartOperatorAsync("-mesh-provider=kubernetes");
        await fixture.WaitForPhaseAsync("waitme", CanaryPhase.Initialized);
        await fixture.SetImageAsync("waitme", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("waitme", CanaryPhase.Progressing);

        var (exit, output) = await KubectlAsync(fixture, cache, 90, "wait", "canary/waitme", "--for=condition=promoted", "--timeout=80s");
        var promoted = await fixture.GetCanaryAsync("waitme");
        Assert.True(exit == 0, output);
        Assert.Contains("canary.flagger.app/waitme condition met", output, StringComparison.Ordinal);
        Assert.Equal("Succeeded", promoted!.Status!.Phase);

        (exit, output) = await KubectlAsync(fixture, cache, 30, "get", "canaries");
        Assert.True(exit == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "STATUS", "WEIGHT", "LASTTRANSITIONTIME"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["waitme", "Succeeded", "0"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        (exit, output) = await KubectlAsync(fixture, cache, 30, "get", "canaries", "-o", "wide");
        Assert.True(exit == 0, output);
        Assert.Equal(["NAME", "STATUS", "WEIGHT", "SUSPENDED", "FAILEDCHECKS", "INTERVAL", "MIRROR", "STEPWEIGHT", "STEPWEIGHTS", "MAXWEIGHT", "LASTTRANSITIONTIME"],
            output.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Contains("flagger_canary_status{name=\"waitme\",namespace=\"test\"}", await ExportMetricsAsync(), StringComparison.Ordinal);
        (exit, output) = await KubectlAsync(fixture, cache, 30, "delete", "canary", "waitme");
        Assert.True(exit == 0, output);
        await RuntimeFixture.EventuallyAsync(async () => !(await ExportMetricsAsync()).Contains("name=\"waitme\"", StringComparison.Ordinal), "the series of the deleted canary are gone", 20);
        Assert.DoesNotContain("workload=\"waitme\"", await ExportMetricsAsync(), StringComparison.Ordinal);
    }
}
