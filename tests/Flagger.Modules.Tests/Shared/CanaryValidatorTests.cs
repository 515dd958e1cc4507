using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using k8s.Models;

namespace Flagger.Modules.Tests.Shared;

public sealed class CanaryValidatorTests
{
    private static Canary Valid(Action<CanarySpec>? change = null)
    {
        var canary = new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis { Interval = "1m", Threshold = 5, StepWeight = 10, MaxWeight = 50 },
            },
        };
        change?.Invoke(canary.Spec);
        return canary;
    }

    private static List<string> Errors(Canary canary, ValidationOptions? options = null) =>
        [.. CanaryValidator.Validate(canary, options).Select(e => e.ToString())];

    [Fact]
    public void A_minimal_canary_is_valid()
    {
        Assert.Empty(Errors(Valid()));
    }

    [Fact]
    public void All_errors_are_returned_not_only_the_first()
    {
        var canary = Valid(s =>
        {
            s.Analysis!.StepWeights = [50, 40];
            s.Analysis.StepWeight = null;
            s.Analysis.Interval = "soon";
            s.Analysis.SessionAffinity = new SessionAffinity { CookieName = "a", PrimaryCookieName = "a" };
            s.Service!.Port = 0;
        });

        Assert.Equal(
            [
                "spec.service.port: must be between 1 and 65535 (got 0)",
                "spec.analysis.interval: \"soon\" is not a valid duration: expected a number at \"soon\" (use ns, us, ms, s, m or h, e.g. 30s, 1m, 1h30m)",
                "spec.analysis.stepWeights[1]: must be strictly increasing (40 follows 50)",
                "spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName",
            ],
            Errors(canary));
    }

    [Fact]
    public void Errors_carry_the_field_path_and_reason_as_data()
    {
        var error = Assert.Single(CanaryValidator.Validate(Valid(s => s.Analysis!.MaxWeight = 101)));

        Assert.Equal("spec.analysis.maxWeight", error.Field);
        Assert.Equal("must be between 0 and 100 (got 101)", error.Reason);
    }

    [Fact]
    public void Missing_spec_parts_are_named()
    {
        var canary = Valid(s =>
        {
            s.TargetRef = null;
            s.Service = null;
            s.Analysis = null;
        });

        Assert.Equal(
            [
                "spec.targetRef: required (apiVersion, kind and name of the workload to release)",
                "spec.service: required (at least port) unless the target is a Knative Service",
                "spec.analysis: required (interval, threshold and one of iterations, stepWeight or stepWeights)",
            ],
            Errors(canary));
    }

    [Fact]
    public void Target_name_and_kind_are_required()
    {
        Assert.Equal(["spec.targetRef.name: required"], Errors(Valid(s => s.TargetRef!.Name = null)));
        Assert.StartsWith("spec.targetRef.kind: required", Assert.Single(Errors(Valid(s => s.TargetRef!.Kind = ""))), StringComparison.Ordinal);
    }

    [Fact]
    public void Session_affinity_needs_a_cookie_name_different_from_the_primary_one()
    {
        Assert.Equal(["spec.analysis.sessionAffinity.cookieName: required"], Errors(Valid(s => s.Analysis!.SessionAffinity = new SessionAffinity { PrimaryCookieName = "p" })));
        Assert.Equal(
            ["spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName"],
            Errors(Valid(s => s.Analysis!.SessionAffinity = new SessionAffinity { CookieName = "c", PrimaryCookieName = "c" })));
    }

    [Fact]
    public void Analysis_without_a_traffic_shape_is_named()
    {
        var errors = Errors(Valid(s => s.Analysis = new CanaryAnalysis { Interval = "1m", Threshold = 1 }));

        Assert.Equal(["spec.analysis: set one of iterations (blue/green, A/B testing), stepWeight or stepWeights (progressive canary)"], errors);
    }

    [Fact]
    public void Match_without_iterations_is_reported_because_it_would_never_route_by_match()
    {
        var errors = Errors(Valid(s => s.Analysis!.Match = [new HttpMatchRequest { Headers = new() { ["x"] = new StringMatch { Exact = "y" } } }]));

        Assert.Equal(["spec.analysis.match: A/B testing needs iterations (a run with match but no iterations never routes by match)"], errors);
    }

    [Fact]
    public void Unknown_global_provider_is_reported_when_the_canary_sets_none()
    {
        Assert.Equal(
            ["spec.provider: not set, and the operator's default provider \"gatewayapi\" is unknown (known: apisix, appmesh, appmesh:v1beta2, contour, gatewayapi:v1, gatewayapi:v1beta1, gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper, smi:v1alpha1, smi:v1alpha2, smi:v1alpha3, traefik)"],
            Errors(Valid(), new ValidationOptions(DefaultProvider: "gatewayapi")));
        Assert.Empty(Errors(Valid(), new ValidationOptions(DefaultProvider: "smi:v1alpha3:istio")));
    }

    [Fact]
    public void Knative_provider_needs_a_knative_target_and_no_autoscaler()
    {
        Assert.Equal(
            ["spec.targetRef: provider knative needs a Knative Service target (apiVersion serving.knative.dev/v1, kind Service), not apps/v1/Deployment"],
            Errors(Valid(s => s.Provider = "knative")));

        var knative = Valid(s =>
        {
            s.Provider = "knative";
            s.TargetRef = new LocalObjectReference { ApiVersion = "serving.knative.dev/v1", Kind = "Service", Name = "fn" };
            s.Service = null;
            s.AutoscalerRef = new AutoscalerReference { ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Name = "fn" };
        });
        Assert.Equal(["spec.autoscalerRef: not supported with a Knative Service target (Knative scales revisions itself)"], Errors(knative));
    }

    [Fact]
    public void Primary_scaler_replicas_must_be_ordered()
    {
        var canary = Valid(s => s.AutoscalerRef = new AutoscalerReference
        {
            ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Name = "podinfo",
            PrimaryScalerReplicas = new ScalerReplicas { MinReplicas = 5, MaxReplicas = 2 },
        });

        Assert.Equal(["spec.autoscalerRef.primaryScalerReplicas.minReplicas: must not exceed maxReplicas (5 > 2)"], Errors(canary));
    }

    [Fact]
    public void Cross_namespace_references_are_allowed_unless_the_operator_blocks_them()
    {
        var canary = Valid(s =>
        {
            s.Provider = "gloo";
            s.UpstreamRef = new CrossNamespaceObjectReference { ApiVersion = "gloo.solo.io/v1", Kind = "Upstream", Name = "base", Namespace = "gloo-system" };
            s.Analysis!.Metrics = [new CanaryMetric { Name = "latency", TemplateRef = new CrossNamespaceObjectReference { Name = "latency", Namespace = "test" } }];
        });

        Assert.Empty(Errors(canary));
        Assert.Equal(
            ["spec.upstreamRef.namespace: cross-namespace references are blocked (-no-cross-namespace-refs): can't access gloo upstream base.gloo-system from namespace test"],
            Errors(canary, new ValidationOptions(NoCrossNamespaceRefs: true)));
    }

    [Fact]
    public void Duplicate_webhook_and_alert_names_are_reported_with_the_first_index()
    {
        var canary = Valid(s =>
        {
            s.Analysis!.Webhooks = [new CanaryWebhook { Name = "gate", Url = "http://lt/" }, new CanaryWebhook { Name = "gate", Type = "post-rollout", Url = "http://lt/" }];
            s.Analysis.Alerts = [new CanaryAlert { Name = "a", ProviderRef = new() { Name = "slack" } }, new CanaryAlert { Name = "a", Severity = "critical", ProviderRef = new() { Name = "slack" } }];
        });

        Assert.Equal(
            [
                "spec.analysis.webhooks[1].name: duplicate webhook name \"gate\" (also webhooks[0])",
                "spec.analysis.alerts[1].name: duplicate alert name \"a\" (also alerts[0])",
                "spec.analysis.alerts[1].severity: unknown severity \"critical\" (known: info, warn, error)",
            ],
            Errors(canary));
    }

    [Fact]
    public void A_one_character_webhook_timeout_is_upstreams_default_not_an_error()
    {
        Assert.Empty(Errors(Valid(s => s.Analysis!.Webhooks = [new CanaryWebhook { Name = "w", Url = "http://lt/", Timeout = "5" }])));
    }

    [Fact]
    public void Metric_templates_and_alert_providers_are_validated_too()
    {
        var template = new MetricTemplate { Spec = new MetricTemplateSpec { Provider = new MetricTemplateProvider { Type = "prometheus", Address = "prometheus:9090" }, Query = " " } };
        Assert.Equal(
            ["spec.provider.address: \"prometheus:9090\" is not an absolute http(s) URL", "spec.query: required (the query to run, a Go text/template)"],
            CanaryValidator.Validate(template).Select(e => e.ToString()));

        var provider = new AlertProvider { Spec = new AlertProviderSpec { Type = "pagerduty", Address = "https://events.example.com", Proxy = "corp-proxy:3128" } };
        Assert.Equal(
            ["spec.type: unknown alert provider \"pagerduty\" (known: slack, msteams, discord, rocket, gchat)", "spec.proxy: \"corp-proxy:3128\" is not an absolute http(s) URL"],
            CanaryValidator.Validate(provider).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("cloudwatch", """[{"Id":"e1","MetricStat":{"Period": {{ variables.period }} }}]""", null)]
    [InlineData("cloudwatch", """[{"Id":"e1","Label":"{{ target }}"}]""", null)]
    [InlineData("cloudwatch", "SUM(METRICS())", "spec.query: for provider cloudwatch must be a JSON array of MetricDataQuery objects (")]
    [InlineData("keptn", "analysis/{{ namespace }}/slo/5m/workload={{ target }}", null)]
    [InlineData("keptn", "KeptnMetric/shop/latency", null)]
    [InlineData("keptn", "latency", "spec.query: for provider keptn must be keptnmetric/<namespace>/<name> or analysis/")]
    public void Metric_template_queries_are_checked_for_the_shape_their_provider_needs(string type, string query, string? error)
    {
        var template = new MetricTemplate
        {
            Spec = new MetricTemplateSpec { Provider = new MetricTemplateProvider { Type = type, Region = "us-east-1" }, Query = query },
        };
        var errors = CanaryValidator.Validate(template).Select(e => e.ToString()).ToList();
        if (error is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.StartsWith(error, Assert.Single(errors), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-1m")]
    public void A_zero_or_negative_interval_is_rejected(string interval)
    {
        Assert.Equal([$"spec.analysis.interval: must be positive (got {interval})"], Errors(Valid(s => s.Analysis!.Interval = interval)));
    }

    [Fact]
    public void An_invalid_header_regex_is_rejected_with_its_path()
    {
        var canary = Valid(s =>
        {
            s.Analysis!.StepWeight = null;
            s.Analysis.MaxWeight = null;
            s.Analysis.Iterations = 5;
            s.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["user-agent"] = new StringMatch { Regex = "(Firefox" } } }];
        });

        var error = Assert.Single(Errors(canary));
        Assert.StartsWith("spec.analysis.match[0].headers.user-agent.regex: \"(Firefox\" is not a valid regular expression", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(CanaryValidator.MaxWebhookRetries + 1)]
    [InlineData(1000000)]
    public void Webhook_retries_outside_the_documented_bound_are_rejected(int retries)
    {
        var canary = Valid(s => s.Analysis!.Webhooks = [new CanaryWebhook { Name = "w", Url = "http://lt/", Retries = retries }]);

        Assert.Equal([$"spec.analysis.webhooks[0].retries: must be between 0 and {CanaryValidator.MaxWebhookRetries} (got {retries})"], Errors(canary));
    }

    [Fact]
    public void Kubernetes_provider_rejects_match_and_traffic_weights()
    {
        var canary = Valid(s =>
        {
            s.Provider = "kubernetes";
            s.Analysis!.StepWeights = null;
        });
        Assert.Equal(
            [
                "spec.analysis.stepWeight: provider kubernetes only does blue/green (no traffic weights): use iterations instead",
                "spec.analysis.maxWeight: provider kubernetes only does blue/green (no traffic weights): use iterations instead",
            ],
            Errors(canary));

        var abTest = Valid(s =>
        {
            s.Provider = "kubernetes";
            s.Analysis!.StepWeight = null;
            s.Analysis.MaxWeight = null;
            s.Analysis.Iterations = 10;
            s.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
        });
        var error = Assert.Single(Errors(abTest));
        Assert.StartsWith("spec.analysis.match: A/B testing is not supported by provider kubernetes (supported: istio, ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ab_testing_with_session_affinity_is_rejected()
    {
        var canary = Valid(s =>
        {
            s.Analysis!.StepWeight = null;
            s.Analysis.MaxWeight = null;
            s.Analysis.Iterations = 10;
            s.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
            s.Analysis.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" };
        });

        Assert.Equal(
            ["spec.analysis.sessionAffinity: cannot be combined with analysis.match (A/B testing routes by the match rules, sticky sessions are for progressive canaries)"],
            Errors(canary));
    }

    [Fact]
    public void Fields_only_another_provider_reads_are_warnings_naming_them()
    {
        var canary = Valid(s =>
        {
            s.IngressRef = new LocalObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = "podinfo" };
            s.UpstreamRef = new CrossNamespaceObjectReference { Name = "up" };
            s.Service!.MeshName = "global";
            s.Service.GatewayRefs = [new GatewayParentReference { Name = "gw" }];
        });

        Assert.Empty(Errors(canary));
        Assert.Equal(
            [
                "spec.ingressRef: ignored by provider istio (only nginx, skipper read it)",
                "spec.upstreamRef: ignored by provider istio (only gloo read it)",
                "spec.service.gatewayRefs: ignored by provider istio (only gatewayapi read it)",
                "spec.service.meshName: ignored by provider istio (only appmesh read it)",
            ],
            CanaryValidator.Warnings(canary).Select(w => w.ToString()));
        Assert.Empty(CanaryValidator.Warnings(Valid(s => s.Service!.Delegation = true)));
    }
}
