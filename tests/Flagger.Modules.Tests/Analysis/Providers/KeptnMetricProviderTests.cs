using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;

namespace Flagger.Modules.Tests.Analysis.Providers;

/// <summary>
/// A loopback API server holding <c>metrics.keptn.sh/v1beta1</c> objects: GET/POST/DELETE as Kubernetes answers them
/// (404 Status, 409 AlreadyExists), and a Keptn controller stand-in that completes an Analysis after
/// <see cref="PollsUntilDone"/> reads with the verdict of <see cref="Verdict"/>.
/// </summary>
internal sealed class FakeKeptnApi : IAsyncDisposable
{
    private const string Root = "/apis/metrics.keptn.sh/v1beta1/namespaces/";
    private readonly StubHttpServer _server;
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new();
    private readonly ConcurrentDictionary<string, int> _reads = new();

    public FakeKeptnApi() => _server = new StubHttpServer(Handle);

    public Func<JsonNode, bool?> Verdict { get; set; } = _ => true;

    public int PollsUntilDone { get; set; } = 1;

    /// <summary>When true, creating answers 403 Forbidden as for a service account without the grant.</summary>
    public bool ForbidCreate { get; set; }

    public ConcurrentQueue<JsonObject> Created { get; } = new();

    public ICollection<string> Paths => _objects.Keys;

    public KubeApiClient Client() =>
        new(new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url }), TimeSpan.FromSeconds(5));

    public void SeedMetric(string ns, string name, string? value) =>
        _objects[$"{Root}{ns}/keptnmetrics/{name}"] = JsonNode.Parse($$"""
            {"apiVersion":"metrics.keptn.sh/v1beta1","kind":"KeptnMetric","metadata":{"name":"{{name}}","namespace":"{{ns}}"},
             "spec":{"provider":{"name":"prom"},"query":"q","fetchIntervalSeconds":5},
             "status":{{(value is null ? "{}" : $$"""{"value":"{{value}}","rawValue":"MC45"}""")}}}
            """)!.AsObject();

    private (int, string) Handle(RecordedRequest r)
    {
        if (!r.Path.StartsWith(Root, StringComparison.Ordinal))
        {
            return NotFound(r.Path);
        }

        switch (r.Method)
        {
            case "POST" when ForbidCreate:
                return (403, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"analyses.metrics.keptn.sh is forbidden: User \"system:serviceaccount:flagger-system:flagger\" cannot create resource \"analyses\""}""");
            case "POST":
                var obj = JsonNode.Parse(r.Body)!.AsObject();
                var path = $"{r.Path}/{obj["metadata"]!["name"]}";
                if (!_objects.TryAdd(path, obj))
                {
                    return (409, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409}""");
                }

                Created.Enqueue(obj.DeepClone().AsObject());
                return (201, obj.ToJsonString());
            case "GET" when _objects.TryGetValue(r.Path, out var found):
                if (r.Path.Contains("/analyses/", StringComparison.Ordinal) && _reads.AddOrUpdate(r.Path, 1, (_, n) => n + 1) >= PollsUntilDone
                    && Verdict(found["spec"]!) is { } pass)
                {
                    found["status"] = new JsonObject { ["state"] = "Completed", ["pass"] = pass, ["raw"] = "{}" };
                }

                return (200, found.ToJsonString());
            case "DELETE" when _objects.TryRemove(r.Path, out _):
                return (200, """{"kind":"Status","apiVersion":"v1","status":"Success"}""");
            default:
                return NotFound(r.Path);
        }
    }

    private static (int, string) NotFound(string path) =>
        (404, JsonSerializer.Serialize(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "NotFound", code = 404, message = $"{path} not found" }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

public class KeptnMetricProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KeptnMetricProvider Create(FakeKeptnApi api, TimeSpan? timeout = null) =>
        new("1m", new MetricTemplateProvider { Type = "keptn" }, new Dictionary<string, byte[]>(), api.Client(), TimeProvider.System,
            timeout ?? TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20));

    [Theory]
    [InlineData("keptnmetric/test/podinfo-latency", "keptnmetrics", "test", "podinfo-latency", "1m")]
    [InlineData("KeptnMetrics/Test/Podinfo\n", "keptnmetrics", "test", "podinfo", "1m")]
    [InlineData("analysis/test/slo/5m/workload=podinfo;bad;x=1=2", "analyses", "test", "slo", "5m")]
    [InlineData("analyses/test/slo", "analyses", "test", "slo", "1m")]
    public void Queries_parse_as_upstream(string query, string kind, string ns, string name, string duration)
    {
        var q = KeptnMetricProvider.ParseQuery(query);
        Assert.Equal((kind, ns, name, duration), (q.Kind, q.Namespace, q.Name, q.Duration));
        if (query.Contains("workload", StringComparison.Ordinal))
        {
            Assert.Equal(new Dictionary<string, string> { ["workload"] = "podinfo" }, q.Args);
        }
    }

    [Theory]
    [InlineData("keptnmetric/test", "unexpected query format. query must be in the format <keptnmetric|analysis>/<namespace>/<resourceName>/<duration>/<arguments>")]
    [InlineData("metric/test/x", "unexpected resource kind provided in the query. must be one of: ['keptnmetric', 'analysis']")]
    public void Bad_queries_are_errors(string query, string message) =>
        Assert.Equal(message, Assert.Throws<MetricQueryException>(() => KeptnMetricProvider.ParseQuery(query)).Message);

    [Fact]
    public async Task A_keptn_metric_value_is_read_from_its_status()
    {
        await using var api = new FakeKeptnApi();
        api.SeedMetric("test", "latency", "0.93");
        Assert.Equal(0.93, await Create(api).RunQueryAsync("keptnmetric/test/latency", Ct));
    }

    [Fact]
    public async Task A_missing_metric_or_value_is_an_error_naming_it()
    {
        await using var api = new FakeKeptnApi();
        api.SeedMetric("test", "empty", null);
        api.SeedMetric("test", "text", "fast");
        api.SeedMetric("test", "nan", "NaN");

        Assert.Equal("could not retrieve KeptnMetric test/missing: keptnmetrics.metrics.keptn.sh \"missing\" not found",
            (await Assert.ThrowsAsync<MetricQueryException>(() => Create(api).RunQueryAsync("keptnmetric/test/missing", Ct))).Message);
        Assert.Equal("could not retrieve KeptnMetric - no value found in resource test/empty",
            (await Assert.ThrowsAsync<MetricQueryException>(() => Create(api).RunQueryAsync("keptnmetric/test/empty", Ct))).Message);
        Assert.True((await Assert.ThrowsAsync<MetricQueryException>(() => Create(api).RunQueryAsync("keptnmetric/test/nan", Ct))).NoValues);
        Assert.StartsWith("could not parse value of KeptnMetric test/text to float",
            (await Assert.ThrowsAsync<MetricQueryException>(() => Create(api).RunQueryAsync("keptnmetric/test/text", Ct))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task An_analysis_is_created_polled_until_completed_and_deleted(bool pass, double expected)
    {
        await using var api = new FakeKeptnApi { PollsUntilDone = 3, Verdict = _ => pass };

        Assert.Equal(expected, await Create(api).RunQueryAsync("analysis/test/podinfo-slo/2m/workload=podinfo;stage=canary", Ct));

        var created = Assert.Single(api.Created);
        Assert.Matches("^podinfo-slo-[0-9a-f]{6}$", created["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("metrics.keptn.sh/v1beta1", created["apiVersion"]!.GetValue<string>());
        Assert.Equal("Analysis", created["kind"]!.GetValue<string>());
        Assert.Equal("podinfo-slo", created["spec"]!["analysisDefinition"]!["name"]!.GetValue<string>());
        Assert.Equal("2m", created["spec"]!["timeframe"]!["recent"]!.GetValue<string>());
        Assert.Equal("canary", created["spec"]!["args"]!["stage"]!.GetValue<string>());
        Assert.Empty(api.Paths);
    }

    [Fact]
    public async Task A_forbidden_analysis_create_names_the_analysis_and_the_api_error()
    {
        await using var api = new FakeKeptnApi { ForbidCreate = true };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(api).RunQueryAsync("analysis/test/slo", Ct));
        Assert.StartsWith("could not create Keptn Analysis test/slo: POST /apis/metrics.keptn.sh/v1beta1/namespaces/test/analyses: 403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_analysis_that_never_completes_times_out_and_is_still_deleted()
    {
        await using var api = new FakeKeptnApi { Verdict = _ => null };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(api, TimeSpan.FromMilliseconds(300)).RunQueryAsync("analysis/test/slo", Ct));

        Assert.Equal("encountered timeout while waiting for Keptn Analysis test/slo to be finished", e.Message);
        Assert.Empty(api.Paths);
    }

    [Fact]
    public async Task Is_online_is_always_true() =>
        await new KeptnMetricProvider("1m", new MetricTemplateProvider { Type = "keptn" }, new Dictionary<string, byte[]>(),
            new KubeApiClient(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }), TimeSpan.FromSeconds(1)), TimeProvider.System)
            .IsOnlineAsync(Ct);
}
