using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Analysis.AnalysisFixtures;

namespace Flagger.Modules.Tests.Analysis;

public sealed class CanaryAnalyzerTests : IAsyncDisposable
{
    private readonly StubHttpServer _prometheus = new(_ => (200, Vector("100")));
    private readonly InMemoryKube _kube = new();
    private readonly AnalysisOptions _options = new() { MeshProvider = "istio" };

    private CanaryAnalyzer Analyzer()
    {
        _options.MetricsServer = _options.MetricsServer == "http://prometheus:9090" ? _prometheus.Url : _options.MetricsServer;
        return new CanaryAnalyzer(_kube, new MetricProviderFactory(new TestHttpClientFactory(), TimeProvider.System), Options.Create(_options), NullLogger<CanaryAnalyzer>.Instance);
    }

    private async Task<MetricCheckResult> Single(Canary canary)
    {
        var result = await Analyzer().AnalyzeAsync(canary, TestContext.Current.CancellationToken);
        return Assert.Single(result.Metrics);
    }

    public async ValueTask DisposeAsync() => await _prometheus.DisposeAsync();

    // ---- builtin request-success-rate

    [Fact]
    public async Task Success_rate_within_range_passes_and_reports_its_value()
    {
        _prometheus.Respond = _ => (200, Vector("99.5"));
        var r = await Single(Podinfo(SuccessRate(min: 99)));

        Assert.Equal(MetricCheckOutcome.Passed, r.Outcome);
        Assert.Equal(MetricCheckKind.Builtin, r.Kind);
        Assert.Equal("istio", r.Provider);
        Assert.Equal(99.5, r.Value);
        Assert.Equal(99.5, r.AnalysisValue);
        Assert.Null(r.Message);
        Assert.Equal(new MetricThresholds(99, null, null), r.Thresholds);
        Assert.Equal(
            """ sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="test", destination_workload=~"podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="test", destination_workload=~"podinfo" }[1m] ) ) * 100""",
            _prometheus.Single().Query["query"]);
    }

    [Theory]
    [InlineData("98.6875", 99.0, null, null, "Halt podinfo.test advancement success rate 98.69% < 99%")]
    [InlineData("100", null, 99.5, null, "Halt podinfo.test advancement success rate 100.00% > 99.5%")]
    [InlineData("95", null, null, 99.0, "Halt podinfo.test advancement success rate 95.00% < 99%")]
    public async Task Success_rate_outside_thresholds_halts_with_upstreams_text(string value, double? min, double? max, double? threshold, string message)
    {
        _prometheus.Respond = _ => (200, Vector(value));
        var r = await Single(Podinfo(SuccessRate(min: min, max: max, threshold: threshold)));

        Assert.Equal(MetricCheckOutcome.Failed, r.Outcome);
        Assert.Equal(message, r.Message);
        Assert.Equal(message, r.EventMessage);
        Assert.NotNull(r.AnalysisValue);
    }

    [Fact]
    public async Task Success_rate_equal_to_a_bound_passes()
    {
        _prometheus.Respond = _ => (200, Vector("99"));
        Assert.Equal(MetricCheckOutcome.Passed, (await Single(Podinfo(SuccessRate(min: 99, max: 99)))).Outcome);
    }

    [Fact]
    public async Task Success_rate_without_data_fails_and_the_event_names_the_query()
    {
        _prometheus.Respond = _ => (200, EmptyVector);
        var r = await Single(Podinfo(SuccessRate()));

        Assert.Equal(MetricCheckOutcome.NoData, r.Outcome);
        Assert.Equal("Halt advancement no values found for istio metric request-success-rate probably podinfo.test is not receiving traffic: running query failed: no values found", r.Message);
        Assert.StartsWith(r.Message + " (query: sum( rate( istio_requests_total{ reporter=\"destination\",", r.EventMessage, StringComparison.Ordinal);
        Assert.EndsWith("[1m] ) ) * 100)", r.EventMessage, StringComparison.Ordinal);
        Assert.Contains("istio_requests_total", r.EventMessage, StringComparison.Ordinal);
        Assert.Null(r.AnalysisValue);
        Assert.False(r.IsError);
    }

    [Fact]
    public async Task Prometheus_errors_are_error_results_with_upstreams_prefix()
    {
        _prometheus.Respond = _ => (422, """{"status":"error","error":"bad"}""");
        var r = await Single(Podinfo(SuccessRate()));

        Assert.Equal(MetricCheckOutcome.Error, r.Outcome);
        Assert.True(r.IsError);
        Assert.Equal("""Prometheus query failed: running query failed: error response: Status 422 Unprocessable Entity: {"status":"error","error":"bad"}""", r.Message);
    }

    [Fact]
    public async Task The_http_observer_does_not_wrap_success_rate_errors()
    {
        _options.MeshProvider = "kubernetes";
        _prometheus.Respond = _ => (200, EmptyVector);
        var r = await Single(Podinfo(SuccessRate()));

        Assert.Equal("kubernetes", r.Provider);
        Assert.Equal("Halt advancement no values found for kubernetes metric request-success-rate probably podinfo.test is not receiving traffic: no values found", r.Message);
        Assert.Contains("http_request_duration_seconds_count", _prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_target_uses_the_service_suffixed_provider_and_istio_queries()
    {
        _options.MeshProvider = "kubernetes";
        _prometheus.Respond = _ => (200, EmptyVector);
        var canary = Podinfo(SuccessRate());
        canary.Spec.TargetRef!.Kind = "Service";
        canary.Spec.TargetRef.ApiVersion = "v1";
        var r = await Single(canary);

        Assert.Equal("kubernetes:service", r.Provider);
        Assert.StartsWith("Halt advancement no values found for kubernetes:service metric request-success-rate", r.Message, StringComparison.Ordinal);
        Assert.Contains("istio_requests_total", _prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    // ---- builtin request-duration

    [Fact]
    public async Task Request_duration_above_max_halts_with_go_durations_and_reports_seconds()
    {
        _prometheus.Respond = _ => (200, Vector("1515.9"));
        var r = await Single(Podinfo(Duration(max: 500)));

        Assert.Equal(MetricCheckOutcome.Failed, r.Outcome);
        Assert.Equal("Halt podinfo.test advancement request duration 1.515s > 500ms", r.Message);
        Assert.Equal(1515, r.Value);
        Assert.Equal(1.515, r.AnalysisValue);
        Assert.Contains("istio_request_duration_milliseconds_bucket", _prometheus.Single().Query["query"], StringComparison.Ordinal);
        Assert.Contains("[30s]", _prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500.9", 500.0, null, null, null)]
    [InlineData("99.9", null, 100.0, null, "Halt podinfo.test advancement request duration 99ms < 100ms")]
    [InlineData("600", null, null, 500.0, "Halt podinfo.test advancement request duration 600ms > 500ms")]
    [InlineData("60000", null, null, 500.0, "Halt podinfo.test advancement request duration 1m0s > 500ms")]
    public async Task Request_duration_is_truncated_to_whole_milliseconds_before_comparing(string value, double? max, double? min, double? threshold, string? message)
    {
        _prometheus.Respond = _ => (200, Vector(value));
        var r = await Single(Podinfo(Duration(max: max, min: min, threshold: threshold)));

        Assert.Equal(message is null ? MetricCheckOutcome.Passed : MetricCheckOutcome.Failed, r.Outcome);
        Assert.Equal(message, r.Message);
    }

    [Fact]
    public async Task Request_duration_without_data_has_no_error_suffix()
    {
        _prometheus.Respond = _ => (200, EmptyVector);
        var r = await Single(Podinfo(Duration()));
        Assert.Equal("Halt advancement no values found for istio metric request-duration probably podinfo.test is not receiving traffic", r.Message);
    }

    [Fact]
    public async Task Http_observer_duration_is_seconds_times_1000()
    {
        _options.MeshProvider = "gatewayapi:v1";
        _prometheus.Respond = _ => (200, Vector("0.7519"));
        var r = await Single(Podinfo(Duration(max: 500)));
        Assert.Equal("Halt podinfo.test advancement request duration 751ms > 500ms", r.Message);
    }

    [Fact]
    public async Task An_empty_interval_defaults_to_one_minute()
    {
        await Single(Podinfo(Duration(interval: null)));
        Assert.Contains("[1m]", _prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Knative_canaries_query_the_latest_created_revision()
    {
        var canary = Podinfo(SuccessRate());
        canary.Spec.Provider = "knative";
        canary.Spec.TargetRef = new LocalObjectReference { ApiVersion = "serving.knative.dev/v1", Kind = "Service", Name = "podinfo" };
        canary.Spec.Service = null;

        var missing = await Single(canary);
        Assert.Equal("Error fetching Knative service test/podinfo services.serving.knative.dev \"podinfo\" not found", missing.Message);
        Assert.Empty(_prometheus.Requests);

        _kube.Seed(new Flagger.Modules.Shared.Knative.KnativeService
        {
            Metadata = new() { Name = "podinfo", NamespaceProperty = "test" },
            Status = new() { LatestCreatedRevisionName = "podinfo-00002" },
        });
        var r = await Single(canary);
        Assert.Equal(MetricCheckOutcome.Passed, r.Outcome);
        Assert.Equal("knative", r.Provider);
        Assert.Contains("envoy_cluster_name=~\"test/podinfo-00002\"", _prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    // ---- metrics server selection

    [Fact]
    public async Task The_canarys_metrics_server_overrides_the_global_one()
    {
        await using var other = new StubHttpServer(_ => (200, Vector("100")));
        var canary = Podinfo(SuccessRate());
        canary.Spec.MetricsServer = other.Url;
        Assert.Equal(MetricCheckOutcome.Passed, (await Single(canary)).Outcome);
        Assert.Single(other.Requests);
        Assert.Empty(_prometheus.Requests);
    }

    [Fact]
    public async Task An_invalid_metrics_server_is_an_error_naming_it()
    {
        var canary = Podinfo(SuccessRate());
        canary.Spec.MetricsServer = "prometheus:9090 oops";
        var r = await Single(canary);
        Assert.Equal("Error building Prometheus client for prometheus:9090 oops prometheus address prometheus:9090 oops is not a valid URL", r.Message);
    }

    // ---- inline query (deprecated)

    [Fact]
    public async Task Inline_query_renders_the_model_and_halts_above_threshold()
    {
        _prometheus.Respond = _ => (200, Vector("1.234"));
        var metric = new CanaryMetric { Name = "my-metric", Query = "sum(rate(x{ns=\"{{ namespace }}\",t=\"{{ target }}\"}[{{ interval }}]))", Threshold = 1 };
        var r = await Single(Podinfo(metric));

        Assert.Equal(MetricCheckKind.InlineQuery, r.Kind);
        Assert.Equal("Halt podinfo.test advancement my-metric 1.23 > 1", r.Message);
        Assert.Equal("sum(rate(x{ns=\"test\",t=\"podinfo\"}[1m]))", _prometheus.Single().Query["query"]);
    }

    [Fact]
    public async Task Inline_query_without_any_threshold_fails_for_a_positive_value_as_upstream()
    {
        _prometheus.Respond = _ => (200, Vector("0.5"));
        var r = await Single(Podinfo(new CanaryMetric { Name = "errors", Query = "x" }));
        Assert.Equal("Halt podinfo.test advancement errors 0.50 > 0", r.Message);
    }

    [Fact]
    public async Task Inline_query_without_data_and_with_errors()
    {
        _prometheus.Respond = _ => (200, EmptyVector);
        Assert.Equal("Halt advancement no values found for metric: errors", (await Single(Podinfo(new CanaryMetric { Name = "errors", Query = "x", Threshold = 1 }))).Message);

        var broken = await Single(Podinfo(new CanaryMetric { Name = "errors", Query = "{{ variables.x }}" }));
        Assert.Equal(MetricCheckOutcome.Error, broken.Outcome);
        Assert.StartsWith("Prometheus query failed for errors: template excution failed: ", broken.Message, StringComparison.Ordinal);
        Assert.EndsWith("map has no entry for key \"x\"", broken.Message, StringComparison.Ordinal);
    }

    // ---- MetricTemplates

    [Fact]
    public async Task Template_metric_uses_the_template_namespace_secret_headers_and_variables()
    {
        _kube.Seed(Template("istio-system", "latency", "prometheus", _prometheus.Url,
            "histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter=\"{{ variables.reporter }}\",destination_workload_namespace=\"{{ namespace }}\",destination_workload=~\"{{ target }}\"}[{{ interval }}])) by (le))",
            secret: "prom-auth", headers: new() { ["X-Scope-OrgID"] = ["team-a"] }));
        _kube.Seed(Secret("istio-system", "prom-auth", ("token", "t0k3n")));
        _prometheus.Respond = _ => (200, Vector("420"));

        var r = await Single(Podinfo(TemplateMetric("latency", "latency", ns: "istio-system", max: 500, variables: new() { ["reporter"] = "source" }, interval: "30s")));

        Assert.Equal(MetricCheckOutcome.Passed, r.Outcome);
        Assert.Equal(MetricCheckKind.Template, r.Kind);
        Assert.Equal("prometheus", r.Provider);
        Assert.Equal(420, r.AnalysisValue);
        var request = _prometheus.Single();
        Assert.Equal("Bearer t0k3n", request.Headers["Authorization"]);
        Assert.Equal("team-a", request.Headers["X-Scope-OrgID"]);
        Assert.Equal("histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter=\"source\",destination_workload_namespace=\"test\",destination_workload=~\"podinfo\"}[30s])) by (le))", request.Query["query"]);
    }

    [Fact]
    public async Task Template_metric_thresholds_and_halt_texts()
    {
        _kube.Seed(Template("test", "error-rate", "prometheus", _prometheus.Url, "x"));
        _prometheus.Respond = _ => (200, Vector("1.5"));

        Assert.Equal("Halt podinfo.test advancement error-rate 1.50 > 1", (await Single(Podinfo(TemplateMetric("error-rate", "error-rate", max: 1)))).Message);
        Assert.Equal("Halt podinfo.test advancement error-rate 1.50 < 2", (await Single(Podinfo(TemplateMetric("error-rate", "error-rate", min: 2)))).Message);
        Assert.Equal("Halt podinfo.test advancement error-rate 1.50 > 1", (await Single(Podinfo(TemplateMetric("error-rate", "error-rate", threshold: 1)))).Message);
        Assert.Null((await Single(Podinfo(TemplateMetric("error-rate", "error-rate", min: 1.5, max: 1.5)))).Message);
    }

    [Fact]
    public async Task Template_metric_without_data_names_the_metric_and_the_query()
    {
        _kube.Seed(Template("test", "latency", "prometheus", _prometheus.Url, "histogram_quantile(0.99, x{ns=\"{{ namespace }}\"})"));
        _prometheus.Respond = _ => (200, EmptyVector);
        var r = await Single(Podinfo(TemplateMetric("latency", "latency", max: 500)));

        Assert.Equal(MetricCheckOutcome.NoData, r.Outcome);
        Assert.Equal("Halt advancement no values found for custom metric: latency: no values found", r.Message);
        Assert.Equal("Halt advancement no values found for custom metric: latency: no values found (query: histogram_quantile(0.99, x{ns=\"test\"}))", r.EventMessage);
    }

    [Fact]
    public async Task Template_metric_provider_errors_are_metric_query_failures()
    {
        _kube.Seed(Template("test", "latency", "prometheus", _prometheus.Url, "x"));
        _prometheus.Respond = _ => (500, "internal");
        Assert.Equal("Metric query failed for latency: error response: Status 500 Internal Server Error: internal",
            (await Single(Podinfo(TemplateMetric("latency", "latency", max: 500)))).Message);
    }

    [Fact]
    public async Task A_missing_template_or_secret_is_an_error_naming_it()
    {
        Assert.Equal("Metric template latency.test error: metrictemplate.flagger.app \"latency\" not found",
            (await Single(Podinfo(TemplateMetric("latency", "latency")))).Message);

        _kube.Seed(Template("test", "latency", "prometheus", _prometheus.Url, "x", secret: "missing"));
        Assert.Equal("Metric template latency.test secret missing error: secrets \"missing\" not found",
            (await Single(Podinfo(TemplateMetric("latency", "latency")))).Message);
    }

    [Fact]
    public async Task A_missing_template_variable_is_a_render_error_naming_the_key()
    {
        _kube.Seed(Template("istio-system", "latency", "prometheus", _prometheus.Url, "x{reporter=\"{{ variables.reporter }}\"}"));
        var r = await Single(Podinfo(TemplateMetric("latency", "latency", ns: "istio-system")));

        Assert.Equal(MetricCheckOutcome.Error, r.Outcome);
        Assert.StartsWith("Metric template latency.istio-system query render error: template excution failed: template: tmpl:1:", r.Message, StringComparison.Ordinal);
        Assert.EndsWith("map has no entry for key \"reporter\"", r.Message, StringComparison.Ordinal);
        Assert.Empty(_prometheus.Requests);
    }

    [Fact]
    public async Task Cross_namespace_templates_are_blocked_when_the_option_is_set()
    {
        _options.NoCrossNamespaceRefs = true;
        _kube.Seed(Template("istio-system", "latency", "prometheus", _prometheus.Url, "x"));
        var r = await Single(Podinfo(TemplateMetric("latency", "latency", ns: "istio-system")));

        Assert.Equal("invalid canary spec: can't access metric template latency.istio-system, cross-namespace references are blocked", r.Message);
        Assert.Empty(_prometheus.Requests);

        _kube.Seed(Template("test", "same-ns", "prometheus", _prometheus.Url, "x"));
        _prometheus.Respond = _ => (200, Vector("0"));
        Assert.Equal(MetricCheckOutcome.Passed, (await Single(Podinfo(TemplateMetric("same-ns", "same-ns", ns: "test", max: 1)))).Outcome);
    }

    [Fact]
    public async Task Misconfigured_or_unknown_provider_types_are_errors_not_fallbacks()
    {
        _kube.Seed(Template("test", "cw", "cloudwatch", null, "[]"));
        _kube.Seed(Template("test", "typo", "promethues", _prometheus.Url, "x"));

        Assert.Equal("Metric template cw.test provider cloudwatch error: region not specified",
            (await Single(Podinfo(TemplateMetric("cw", "cw")))).Message);
        Assert.StartsWith("Metric template typo.test provider promethues error: unknown metrics provider type \"promethues\"",
            (await Single(Podinfo(TemplateMetric("typo", "typo")))).Message, StringComparison.Ordinal);
        Assert.Empty(_prometheus.Requests);
    }

    [Fact]
    public async Task Template_metrics_get_the_default_interval_too()
    {
        await using var datadog = new StubHttpServer(_ => (200, """{"series":[{"pointlist":[[1,0.5]]}]}"""));
        _kube.Seed(Template("test", "dd", "datadog", datadog.Url, "avg:latency{ns:{{ namespace }}}.rollup({{ interval }})", secret: "dd"));
        _kube.Seed(Secret("test", "dd", ("datadog_api_key", "a"), ("datadog_application_key", "b")));
        var r = await Single(Podinfo(TemplateMetric("dd", "dd", max: 1, interval: null)));

        Assert.Equal(MetricCheckOutcome.Passed, r.Outcome);
        var q = datadog.Single();
        Assert.Equal("avg:latency{ns:test}.rollup(1m)", q.Query["query"]);
        Assert.Equal(600, long.Parse(q.Query["to"]!, System.Globalization.CultureInfo.InvariantCulture) - long.Parse(q.Query["from"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_entry_without_template_query_or_builtin_name_is_unusable()
    {
        var r = await Single(Podinfo(new CanaryMetric { Name = "nothing", ThresholdRange = new() { Max = 1 } }));
        Assert.Equal(MetricCheckKind.Unusable, r.Kind);
        Assert.Equal("Metric query failed for no usable metrics template and query were configured", r.Message);
    }

    // ---- the step as a whole

    [Fact]
    public async Task All_checks_run_concurrently_and_results_keep_the_metrics_order()
    {
        using var allArrived = new CountdownEvent(3);
        _prometheus.Respond = r =>
        {
            allArrived.Signal();
            // Only answers once all three checks are in flight: a sequential analyzer would time out here.
            var concurrent = allArrived.Wait(TimeSpan.FromSeconds(4));
            var q = r.Query["query"]!;
            return (200, Vector(!concurrent ? "NaN" : q.Contains("duration", StringComparison.Ordinal) ? "250" : q.StartsWith("x", StringComparison.Ordinal) ? "0" : "99.9"));
        };
        _kube.Seed(Template("test", "t", "prometheus", _prometheus.Url, "x"));
        var canary = Podinfo(Duration(max: 500), TemplateMetric("custom", "t", max: 1), SuccessRate(min: 99));

        var result = await Analyzer().AnalyzeAsync(canary, TestContext.Current.CancellationToken);

        Assert.Equal(["request-duration", "custom", "request-success-rate"], result.Metrics.Select(m => m.Name));
        Assert.True(result.Passed, string.Join("; ", result.Metrics.Select(m => m.Message)));
        Assert.Null(result.FirstFailure);
    }

    [Fact]
    public async Task The_first_failure_follows_metrics_order()
    {
        _prometheus.Respond = r => (200, Vector(r.Query["query"]!.Contains("duration", StringComparison.Ordinal) ? "900" : "50"));
        var result = await Analyzer().AnalyzeAsync(Podinfo(SuccessRate(min: 99), Duration(max: 500)), TestContext.Current.CancellationToken);

        Assert.False(result.Passed);
        Assert.Equal("Halt podinfo.test advancement success rate 50.00% < 99%", result.FirstFailure!.Message);
        Assert.Equal(MetricCheckOutcome.Failed, result.Metrics[1].Outcome);
    }

    [Fact]
    public async Task A_slow_check_times_out_as_an_error_result()
    {
        _options.MetricCheckTimeout = TimeSpan.FromMilliseconds(200);
        _prometheus.Delay = TimeSpan.FromSeconds(3);
        var r = await Single(Podinfo(SuccessRate()));

        Assert.Equal(MetricCheckOutcome.Error, r.Outcome);
        Assert.Equal("Prometheus query failed: metric request-success-rate timed out after 0.2s", r.Message);
    }

    [Fact]
    public async Task No_metrics_means_the_step_passes()
    {
        var result = await Analyzer().AnalyzeAsync(Podinfo(), TestContext.Current.CancellationToken);
        Assert.True(result.Passed);
        Assert.Empty(result.Metrics);
    }

    // ---- provider availability

    [Fact]
    public async Task Provider_availability_checks_prometheus_and_template_providers()
    {
        _prometheus.Respond = _ => (200, Vector("1"));
        await using var graphite = new StubHttpServer(_ => (200, "[]"));
        _kube.Seed(Template("test", "g", "graphite", graphite.Url, "target=x"));
        var ok = await Analyzer().CheckProvidersAsync(Podinfo(SuccessRate(), TemplateMetric("g", "g")), TestContext.Current.CancellationToken);

        Assert.Equal(new MetricProvidersAvailability(true, "all the metrics providers are available!"), ok);
        Assert.Equal("vector(1)", _prometheus.Single().Query["query"]);
        Assert.Equal("test", graphite.Single().Query["target"]);
    }

    [Fact]
    public async Task Provider_availability_reports_upstreams_texts()
    {
        _prometheus.Respond = _ => (503, "down");
        var down = await Analyzer().CheckProvidersAsync(Podinfo(SuccessRate()), TestContext.Current.CancellationToken);
        Assert.Equal(new MetricProvidersAvailability(false,
            "Error checking metric providers: prometheus not avaiable: running query failed: error response: Status 503 Service Unavailable: down"), down);

        var missing = await Analyzer().CheckProvidersAsync(Podinfo(TemplateMetric("x", "nope")), TestContext.Current.CancellationToken);
        Assert.Equal("Error checking metric providers: metric template nope.test error: metrictemplate.flagger.app \"nope\" not found", missing.Message);

        _kube.Seed(Template("test", "dd", "datadog", _prometheus.Url, "q", secret: "dd"));
        _kube.Seed(Secret("test", "dd", ("datadog_api_key", "a"), ("datadog_application_key", "b")));
        var ddDown = await Analyzer().CheckProvidersAsync(Podinfo(TemplateMetric("dd", "dd")), TestContext.Current.CancellationToken);
        Assert.Equal("Error checking metric providers: datadog in metric template dd.test not avaiable: error response: down", ddDown.Message);
    }
}
