using Flagger.Modules.Analysis.Observers;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Templates;

namespace Flagger.Modules.Tests.Analysis.Observers;

/// <summary>Golden tests: every builtin query as it is sent to Prometheus (rendered, whitespace-collapsed), per upstream.</summary>
public class ObserverQueryTests
{
    private static MetricTemplateModel Model(string ns = "default", string route = "podinfo", string service = "podinfo", string ingress = "podinfo") =>
        new("podinfo", ns, "podinfo", service, ingress, route, "1m", new Dictionary<string, string>());

    private static (string Rate, string Duration) Sent(string provider, MetricTemplateModel model)
    {
        var observer = ObserverFactory.Create(provider);
        var prepared = observer.Prepare(model);
        return (PrometheusMetricProvider.TrimQuery(prepared.Render(observer.SuccessRateQuery)),
            PrometheusMetricProvider.TrimQuery(prepared.Render(observer.DurationQuery)));
    }

    public static TheoryData<string, string, string> Golden => new()
    {
        {
            "istio",
            """ sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) by (le) )"""
        },
        {
            "linkerd",
            """ sum( rate( response_total{ namespace="default", deployment=~"podinfo", classification!="failure", direction="inbound" }[1m] ) ) / sum( rate( response_total{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) by (le) )"""
        },
        {
            "appmesh",
            """ sum( rate( envoy_cluster_upstream_rq{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) by (le) )"""
        },
        {
            "contour",
            """ sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default_podinfo-canary_[0-9a-zA-Z-]+", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default_podinfo-canary_[0-9a-zA-Z-]+", }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~"default_podinfo-canary_[0-9a-zA-Z-]+", }[1m] ) ) by (le) )"""
        },
        {
            "gloo",
            """ sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+", }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+", }[1m] ) ) by (le) )"""
        },
        {
            "kubernetes",
            """ sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*" }[1m] ) ) / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) by (le) )"""
        },
        {
            "traefik",
            """ sum( rate( traefik_service_request_duration_seconds_bucket{ service=~"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd", code!~"5..", le="+Inf" }[1m] ) ) / sum( rate( traefik_service_request_duration_seconds_bucket{ service=~"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd", le="+Inf" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( traefik_service_request_duration_seconds_bucket{ service=~"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd" }[1m] ) ) by (le) ) * 1000"""
        },
        {
            "osm",
            """ sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) by (le) )"""
        },
        {
            "kuma",
            """ sum( rate( envoy_cluster_upstream_rq{ service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+", }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+", }[1m] ) ) by (le) )"""
        },
        {
            "apisix",
            """ sum( rate( apisix_http_status{ route=~"default_podinfo-podinfo-canary_.+", code!~"5.." }[1m] ) ) / sum( rate( apisix_http_status{ route=~"default_podinfo-podinfo-canary_.+" }[1m] ) ) * 100""",
            """ histogram_quantile( 0.99, sum( rate( apisix_http_latency_bucket{ type=~"request", route=~"default_podinfo-podinfo-canary_.+" }[1m] ) ) by (le) )"""
        },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Builtin_queries_are_sent_exactly_as_upstream(string provider, string successRate, string duration)
    {
        var (rate, dur) = Sent(provider, Model());
        Assert.Equal(successRate, rate);
        Assert.Equal(duration, dur);
    }

    [Theory]
    [InlineData("gatewayapi:v1")]
    [InlineData("gatewayapi:v1beta1")]
    public void Gateway_api_uses_the_http_queries(string provider) =>
        Assert.Equal(Sent("kubernetes", Model()), Sent(provider, Model()));

    [Fact]
    public void Nginx_success_rate_and_average_duration_select_the_canary_ingress()
    {
        var (rate, duration) = Sent("nginx", Model(ns: "nginx"));
        Assert.Equal(""" sum( rate( nginx_ingress_controller_requests{ namespace="nginx", ingress="podinfo", canary!="", status!~"5.*" }[1m] ) ) / sum( rate( nginx_ingress_controller_requests{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) * 100""", rate);
        Assert.Equal(""" sum( rate( nginx_ingress_controller_response_duration_seconds_sum{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) / sum( rate( nginx_ingress_controller_response_duration_seconds_count{ namespace="nginx", ingress="podinfo", canary!="" }[1m] ) ) * 1000""", duration);
    }

    [Fact]
    public void Contour_selects_the_apex_service_name()
    {
        var (rate, _) = Sent("contour", Model(service: "podinfo-service"));
        Assert.Contains("""envoy_cluster_name=~"default_podinfo-service-canary_[0-9a-zA-Z-]+", envoy_response_code!~"5.*" """, rate, StringComparison.Ordinal);
    }

    [Fact]
    public void Knative_selects_the_latest_revision_route()
    {
        var (rate, duration) = Sent("knative", Model(route: "podinfo-00001"));
        Assert.Equal(""" sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default/podinfo-00001", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"default/podinfo-00001", }[1m] ) ) * 100""", rate);
        Assert.Equal(""" histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~"default/podinfo-00001", }[1m] ) ) by (le) )""", duration);
    }

    [Fact]
    public void Skipper_builds_the_route_regex_with_non_word_characters_replaced()
    {
        var model = new MetricTemplateModel("podinfo", "skipper", "podinfo", "backend", "skipper-ingress", "podinfo", "1m", new Dictionary<string, string>());
        var (rate, duration) = Sent("skipper", model);
        Assert.Equal(""" sum(rate(skipper_response_duration_seconds_bucket{route=~"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?",code!~"5..",le="+Inf"}[1m])) / sum(rate(skipper_response_duration_seconds_bucket{route=~"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?",le="+Inf"}[1m])) * 100""", rate);
        Assert.Equal(""" sum(rate(skipper_serve_route_duration_seconds_sum{route=~"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?"}[1m])) / sum(rate(skipper_serve_route_duration_seconds_count{route=~"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?"}[1m])) * 1000""", duration);
    }

    [Theory]
    [InlineData("istio", null, "Deployment", false, "istio")]
    [InlineData("istio", "nginx", "Deployment", false, "nginx")]
    [InlineData("linkerd", "nginx", "Deployment", false, "linkerd")]
    [InlineData("smi:v1alpha3:linkerd", "contour", "Deployment", false, "linkerd")]
    [InlineData("smi:v1alpha2:crossover", null, "Deployment", false, "crossover")]
    [InlineData("kubernetes", null, "Service", false, "kubernetes:service")]
    [InlineData("istio", "knative", "Service", true, "knative")]
    [InlineData("istio", "gatewayapi:v1", "DaemonSet", false, "gatewayapi:v1")]
    public void The_metrics_provider_follows_upstreams_selection_rules(string mesh, string? canaryProvider, string kind, bool knative, string expected) =>
        Assert.Equal(expected, ObserverFactory.MetricsProvider(mesh, canaryProvider, kind, knative));

    [Theory]
    [InlineData("appmesh:v1beta2", typeof(AppMeshObserver))]
    [InlineData("gloo", typeof(GlooObserver))]
    [InlineData("kubernetes:service", typeof(IstioObserver))]
    [InlineData("nginx:service", typeof(IstioObserver))]
    [InlineData("gatewayapi:v1:service", typeof(HttpObserver))]
    [InlineData("crossover", typeof(IstioObserver))]
    [InlineData("smi:v1alpha3", typeof(IstioObserver))]
    [InlineData("skipper", typeof(SkipperObserver))]
    public void Observer_names_without_their_own_queries_fall_back_to_istio_as_upstream(string provider, Type expected) =>
        Assert.IsType(expected, ObserverFactory.Create(provider));

    [Fact]
    public void Request_duration_units_are_milliseconds_and_http_converts_seconds()
    {
        Assert.Equal(1515, ObserverFactory.Create("istio").ToMilliseconds(1515.9));
        Assert.Equal(1515, ObserverFactory.Create("kubernetes").ToMilliseconds(1.5159));
        Assert.Equal(250, ObserverFactory.Create("nginx").ToMilliseconds(250.7));
    }
}
