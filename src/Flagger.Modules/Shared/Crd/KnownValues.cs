namespace Flagger.Modules.Shared.Crd;

/// <summary>
/// The closed vocabularies of the <c>flagger.app/v1beta1</c> CRDs (the enums of upstream's
/// <c>artifacts/flagger/crd.yaml</c>), used by <see cref="Validation.CanaryValidator"/> and by provider factories. Routing providers live in
/// <see cref="Providers.ProviderCatalog"/>.
/// </summary>
public static class KnownValues
{
    /// <summary>Values of <c>MetricTemplate.spec.provider.type</c>.</summary>
    public static readonly IReadOnlyList<string> MetricProviderTypes =
    [
        "prometheus", "influxdb", "datadog", "externalmetrics", "stackdriver", "cloudwatch", "newrelic", "graphite",
        "dynatrace", "keptn", "splunk",
    ];

    /// <summary>Values of <c>AlertProvider.spec.type</c>.</summary>
    public static readonly IReadOnlyList<string> AlertProviderTypes = ["slack", "msteams", "discord", "rocket", "gchat"];

    /// <summary>Values of <c>analysis.webhooks[].type</c>; the empty type means <c>rollout</c>.</summary>
    public static readonly IReadOnlyList<string> WebhookTypes =
    [
        "", "confirm-rollout", "pre-rollout", "rollout", "confirm-promotion", "post-rollout", "event", "rollback",
        "confirm-traffic-increase",
    ];

    /// <summary>Values of <c>analysis.alerts[].severity</c>; empty is treated as <c>info</c> (ARCHITECTURE §9).</summary>
    public static readonly IReadOnlyList<string> AlertSeverities = ["", "info", "warn", "error"];

    /// <summary>Values of <c>spec.targetRef.kind</c>.</summary>
    public static readonly IReadOnlyList<string> TargetKinds = ["DaemonSet", "Deployment", "Service"];

    /// <summary>The <c>spec.autoscalerRef.kind</c> of a KEDA autoscaler.</summary>
    public const string ScaledObjectKind = "ScaledObject";

    /// <summary>Values of <c>spec.autoscalerRef.kind</c>.</summary>
    public static readonly IReadOnlyList<string> AutoscalerKinds = ["HorizontalPodAutoscaler", ScaledObjectKind];

    /// <summary>Metric names that select a builtin observer query instead of a template.</summary>
    public static readonly IReadOnlyList<string> BuiltinMetrics = ["request-success-rate", "request-duration"];

    /// <summary>The <c>apiVersion</c> that turns a <c>Service</c> target into a Knative Service.</summary>
    public const string KnativeServiceApiVersion = "serving.knative.dev/v1";

    /// <summary>Whether the canary targets a Knative Service (<c>targetRef</c> kind <c>Service</c> of <see cref="KnativeServiceApiVersion"/>).</summary>
    public static bool IsKnativeTarget(CanarySpec spec) =>
        spec.TargetRef is { Kind: "Service", ApiVersion: KnativeServiceApiVersion };
}
