using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

public sealed class ControlApiTests(SimFixture fx) : IClassFixture<SimFixture>, IAsyncLifetime
{
    private readonly Kubernetes client = fx.Client;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await fx.SendAsync(HttpMethod.Delete, "/simulator/faults");

    private Task<(HttpStatusCode Code, JsonNode? Body)> AddFaultAsync(object rule) =>
        fx.SendAsync(HttpMethod.Post, "/simulator/faults", Expect.Json(rule).ToJsonString());

    [Fact]
    public async Task A_counted_fault_fails_exactly_that_many_matching_requests_with_a_Status()
    {
        var ns = await fx.NamespaceAsync("c");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, ns);
        var (added, _) = await AddFaultAsync(new { verb = "get", resource = "configmaps", name = "x", status = 503, count = 2 });
        Assert.Equal(HttpStatusCode.Created, added);

        for (var i = 0; i < 2; i++)
        {
            var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("x", ns));
            Assert.Equal(503, code);
            Assert.Equal("ServiceUnavailable", (string?)status["reason"]);
        }

        Assert.Equal("x", (await client.CoreV1.ReadNamespacedConfigMapAsync("x", ns)).Metadata.Name);
        Assert.NotNull(await client.CoreV1.ListNamespacedConfigMapAsync(ns));
    }

    [Fact]
    public async Task Faults_match_the_client_by_user_agent_and_conflicts_and_throttling_use_real_reasons()
    {
        var ns = await fx.NamespaceAsync("c");
        await AddFaultAsync(new { verb = "create", userAgent = "flaky-operator", status = 409, count = 1 });
        await AddFaultAsync(new { verb = "list", resource = "secrets", status = 429, count = 1 });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps")
        {
            Content = new StringContent("{\"metadata\":{\"name\":\"y\"}}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("flaky-operator/1.0");
        using var response = await fx.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);

        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "y" } }, ns);
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ListNamespacedSecretAsync(ns));
        Assert.Equal(429, code);
        Assert.Equal("TooManyRequests", (string?)status["reason"]);
    }

    [Fact]
    public async Task Invalid_fault_rules_are_rejected_naming_the_field()
    {
        var (code, body) = await AddFaultAsync(new { status = 418 });
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("status:", (string?)body!["message"]);
        (code, body) = await AddFaultAsync(new { status = 500, probability = 2.0 });
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("probability:", (string?)body!["message"]);
        (code, _) = await fx.SendAsync(HttpMethod.Post, "/simulator/faults", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Latency_faults_delay_matching_requests()
    {
        var ns = await fx.NamespaceAsync("c");
        await AddFaultAsync(new { verb = "list", resource = "services", @namespace = ns, latencyMs = 300, count = 1 });
        var started = DateTime.UtcNow;
        await client.CoreV1.ListNamespacedServiceAsync(ns);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task Dropped_watches_end_immediately_and_open_watches_can_be_closed()
    {
        var ns = await fx.NamespaceAsync("c");
        await AddFaultAsync(new { verb = "watch", resource = "leases", dropWatch = true, count = 1 });
        using var dropped = await fx.Http.GetAsync($"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases?watch=1&timeoutSeconds=30");
        Assert.Equal(HttpStatusCode.OK, dropped.StatusCode);
        Assert.Equal("", await dropped.Content.ReadAsStringAsync());

        var open = fx.Http.GetAsync($"/api/v1/namespaces/{ns}/endpoints?watch=1&timeoutSeconds=30");
        var watching = fx.Http.GetStringAsync($"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases?watch=1&timeoutSeconds=30");
        await Expect.EventuallyAsync(async () => (await fx.SendAsync(HttpMethod.Post, "/simulator/watches/close?resource=leases")).Body!["closed"]!.GetValue<int>() + (watching.IsCompleted ? 1 : 0), n => n >= 1);
        var text = await watching.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("", text);
        Assert.Equal(HttpStatusCode.NotFound, (await open).StatusCode);
    }

    [Fact]
    public async Task Request_accounting_counts_by_verb_resource_namespace_and_user_agent_since_reset()
    {
        var ns = await fx.NamespaceAsync("acct");
        await fx.SendAsync(HttpMethod.Delete, "/simulator/requests");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, ns);
        await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"v\"}}", V1Patch.PatchType.MergePatch), "a", ns);
        await client.CoreV1.ListNamespacedConfigMapAsync(ns);

        Assert.Equal(2, fx.Cluster.Requests.Count(verb: "get", resource: "configmaps", ns: ns));
        var (_, report) = await fx.SendAsync(HttpMethod.Get, "/simulator/requests");
        var entries = report!["entries"]!.AsArray().Where(e => (string?)e!["namespace"] == ns).ToList();
        Assert.Equal(5, entries.Sum(e => (long)e!["count"]!));
        Assert.Equal(1, entries.Where(e => (string?)e!["verb"] == "patch").Sum(e => (long)e!["count"]!));
        Assert.All(entries, e => Assert.StartsWith("kubernetes-csharp/", (string?)e!["userAgent"]));
        Assert.True((long)report["byVerb"]!["get"]! >= 2);

        await fx.SendAsync(HttpMethod.Post, "/simulator/requests/reset");
        Assert.Equal(0, fx.Cluster.Requests.Count(ns: ns));
    }

    [Fact]
    public async Task Probabilistic_faults_follow_their_probability()
    {
        var ns = await fx.NamespaceAsync("c");
        await AddFaultAsync(new { verb = "list", resource = "configmaps", @namespace = ns, status = 500, probability = 0.0 });
        for (var i = 0; i < 20; i++)
        {
            await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        }

        await AddFaultAsync(new { verb = "list", resource = "configmaps", @namespace = ns, status = 500, probability = 1.0 });
        var (code, status) = await Expect.FailsAsync(() => client.CoreV1.ListNamespacedConfigMapAsync(ns));
        Assert.Equal(500, code);
        Assert.Equal("InternalError", (string?)status["reason"]);
    }
}
