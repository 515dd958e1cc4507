using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 16 (issue 12 items 3 and 6): one team's hanging hooks never delay another team's release. Forty canaries in
/// one namespace wait on a rollout hook that never answers (<c>timeout: 10m</c>, more canaries than the step slots
/// of any setting); a healthy canary in another namespace still detects its new revision and progresses at once. The
/// scheduler's resync never had to repair a canary.
/// </summary>
public sealed class S16_HangingHooksTests(E2EEnvironment environment)
{
    private const int Hanging = 40;

    [Fact]
    public async Task Forty_canaries_with_hanging_hooks_do_not_delay_a_healthy_canary_in_another_namespace()
    {
        var backend = environment.Backend;
        Assert.SkipWhen(backend.Name != "simulated", "the hanging hook server listens on the test's loopback");
        using var hang = new HangingHookServer();
        var stuck = await TestNamespace.CreateAsync(backend, "e2e-hang-stuck");
        var names = Enumerable.Range(0, Hanging).Select(i => $"stuck{i:D2}").ToList();
        foreach (var name in names)
        {
            await stuck.ApplyAsync(stuck.Podinfo(name));
            await stuck.ApplyAsync(Specs.Canary(stuck.Name, name, $"""
                    threshold: 5
                    iterations: 10
                    webhooks:
                      - name: hang
                        type: rollout
                        timeout: 10m
                        url: {hang.Url}{name}
                """));
        }

        var healthy = await TestNamespace.CreateAsync(backend, "e2e-hang-healthy");
        await healthy.ApplyAsync(healthy.Podinfo());
        await healthy.ApplyAsync(Specs.Canary(healthy.Name, "podinfo", """
                threshold: 5
                iterations: 2
            """));

        foreach (var name in names)
        {
            await stuck.WaitForPhaseAsync(name, CanaryPhase.Initialized, timeoutSeconds: 180);
            await stuck.SetImageAsync(name, TestNamespace.Image1);
        }

        await healthy.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized, timeoutSeconds: 180);
        // More hooks hanging than the 32 step slots the operator used to have (there, the other canaries starved).
        await stuck.WaitUntilAsync(() => Task.FromResult(hang.Paths.Count >= 32), "32 rollout hooks hanging", timeoutSeconds: 180);

        var clock = Stopwatch.StartNew();
        await healthy.SetImageAsync("podinfo", TestNamespace.Image1);
        await healthy.WaitForPhaseAsync("podinfo", CanaryPhase.Progressing, timeoutSeconds: 60);
        var progressing = clock.Elapsed;
        await healthy.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded, timeoutSeconds: 60);
        TestContext.Current.TestOutputHelper?.WriteLine($"healthy canary Progressing after {progressing.TotalSeconds:F1}s, Succeeded after {clock.Elapsed.TotalSeconds:F1}s");
        Assert.True(progressing < TimeSpan.FromSeconds(10), $"the healthy canary took {progressing.TotalSeconds:F1}s to start progressing");

        // Every stuck canary got to its hook, each hook was called once (never again while it runs), and the wait shows
        // in the canary's status.
        await stuck.WaitUntilAsync(() => Task.FromResult(hang.Paths.Count == Hanging), $"all {Hanging} rollout hooks hanging", timeoutSeconds: 60);
        Assert.All(hang.Paths, p => Assert.Equal(1, p.Value));
        await stuck.WaitForCanaryAsync(names[0], c => c.Status?.WaitingFor?.StartsWith("rollout webhook hang", StringComparison.Ordinal) == true, "status.waitingFor");
        Assert.Equal(0, await ResyncRepairsAsync());
        stuck.Report("16 hanging hooks");
        foreach (var name in names)
        {
            await stuck.DeleteCanaryAsync(name);
        }
    }

    // The operator runs in this process; its series are in the default registry.
    private static async Task<double> ResyncRepairsAsync()
    {
        using var text = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(text, TestContext.Current.CancellationToken);
        var line = System.Text.Encoding.UTF8.GetString(text.ToArray()).Split('\n')
            .FirstOrDefault(l => l.StartsWith("flagger_scheduler_resync_repairs_total ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Accepts connections, reads the request line and never answers; counts requests per path.</summary>
    private sealed class HangingHookServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<TcpClient> _held = [];
        private readonly CancellationTokenSource _stop = new();

        public HangingHookServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public ConcurrentDictionary<string, int> Paths { get; } = new();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var client in _held)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _held.Add(client);
                    _ = CountAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task CountAsync(TcpClient client)
        {
            try
            {
                using var reader = new StreamReader(client.GetStream(), leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                var path = requestLine?.Split(' ') is [_, var p, ..] ? p.TrimStart('/') : "";
                Paths.AddOrUpdate(path, 1, (_, n) => n + 1);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
