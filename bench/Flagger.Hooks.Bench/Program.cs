using System.Diagnostics;
using System.Net;
using Flagger.LoadTester;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Webhook round trips against an in-process loadtester on loopback: latency of sequential gate checks, throughput of
// concurrent ones, and the cost of a persisted gate change. Run: dotnet run -c Release --project bench/Flagger.Hooks.Bench [calls]
var calls = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var stateDir = Directory.CreateTempSubdirectory("hooks-bench-").FullName;
var loadtester = LoadTesterApp.Build(new LoadTesterOptions { Port = 0, ListenAddress = IPAddress.Loopback, LogLevel = "error", LogEncoding = "console", StateDir = stateDir });
await loadtester.StartAsync();
var baseUrl = loadtester.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.AddSharedModule().AddWebhooksModule();
using var host = builder.Build();
var runner = host.Services.GetRequiredService<IWebhookRunner>();

var canary = new Canary { Metadata = new() { Name = "podinfo", NamespaceProperty = "test" }, Status = new CanaryStatus { LastAppliedSpec = "abc" } };
var check = new CanaryWebhook { Name = "gate", Type = "confirm-rollout", Url = baseUrl + "/gate/check" };
var open = new CanaryWebhook { Name = "open", Url = baseUrl + "/gate/open" };

for (var i = 0; i < 200; i++)
{
    await runner.RunAsync(canary, check, CanaryPhase.Waiting, CancellationToken.None); // warm-up
}

var latencies = new double[calls];
var total = Stopwatch.StartNew();
for (var i = 0; i < calls; i++)
{
    var start = Stopwatch.GetTimestamp();
    await runner.RunAsync(canary, check, CanaryPhase.Waiting, CancellationToken.None);
    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

total.Stop();
Array.Sort(latencies);
Console.WriteLine($"sequential gate checks: {calls} in {total.Elapsed.TotalMilliseconds:F0} ms, p50 {latencies[calls / 2]:F3} ms, p99 {latencies[calls * 99 / 100]:F3} ms");

total.Restart();
await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => runner.RunAsync(canary, check, CanaryPhase.Waiting, CancellationToken.None)));
total.Stop();
Console.WriteLine($"concurrent gate checks: {calls} in {total.Elapsed.TotalMilliseconds:F0} ms, {calls / total.Elapsed.TotalSeconds:F0} calls/s");

var opens = Math.Min(calls, 500);
total.Restart();
for (var i = 0; i < opens; i++)
{
    await runner.RunAsync(canary, open, CanaryPhase.Waiting, CancellationToken.None);
}

total.Stop();
Console.WriteLine($"persisted gate opens: {opens} in {total.Elapsed.TotalMilliseconds:F0} ms, {total.Elapsed.TotalMilliseconds / opens:F3} ms each");

await loadtester.StopAsync();
Directory.Delete(stateDir, recursive: true);
