using Flagger.Modules.Analysis.Providers.Aws;
using Flagger.Modules.Analysis.Providers.Google;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>Builds the provider of one check from a MetricTemplate's <c>spec.provider</c>: the one <c>switch</c> of the module.</summary>
/// <param name="httpClients">Named clients of the HTTP providers.</param>
/// <param name="time">The clock of query windows and token expiry.</param>
/// <param name="kube">The operator's API access (Keptn); absent outside a cluster.</param>
// upstream: pkg/metrics/providers/factory.go. Unlike upstream, an unknown type is an error, not a silent Prometheus fallback.
internal sealed class MetricProviderFactory(IHttpClientFactory httpClients, TimeProvider time, KubeApiClient? kube = null)
{
    // One chain per process, so temporary AWS credentials (IRSA, container, instance role) are cached across checks.
    private readonly Lazy<AwsCredentialChain> _aws = new(() => AwsCredentialChain.FromProcess(ProviderHttp.Create(httpClients, false), time));
    private readonly Lazy<GoogleAuth> _google = new(() => GoogleAuth.FromProcess(ProviderHttp.Create(httpClients, false), time));

    /// <summary>The provider types a template may name (the one list, in <see cref="KnownValues"/>).</summary>
    public static IReadOnlyList<string> KnownTypes => KnownValues.MetricProviderTypes;

    /// <summary>Builds the provider (every provider takes the same five arguments: metric interval, the template's provider block, the Secret's data, an HTTP client, the clock; some add a shared credential source); throws <see cref="MetricProviderConfigException"/> for a bad provider block.</summary>
    public IMetricProvider Create(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials)
    {
        var type = provider.Type ?? "";
        var hasSecret = provider.SecretRef is not null;
        var insecure = provider.InsecureSkipVerify == true;
        return type switch
        {
            "prometheus" => new PrometheusMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, insecure), time),
            "datadog" => new DatadogMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time),
            "newrelic" => new NewRelicMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time),
            "graphite" => new GraphiteMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, insecure), time),
            "dynatrace" => new DynatraceMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time),
            "influxdb" => new InfluxDbMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time),
            "externalmetrics" => new ExternalMetricsProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, insecure), time),
            "cloudwatch" => new CloudWatchMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time, _aws.Value),
            "stackdriver" => new StackdriverMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time, _google.Value),
            "splunk" => new SplunkMetricProvider(interval, provider, credentials, ProviderHttp.Create(httpClients, false), time),
            "keptn" => new KeptnMetricProvider(interval, provider, credentials, kube, time),
            "" => throw new MetricProviderConfigException("spec.provider.type is required"),
            _ => throw new MetricProviderConfigException(
                $"unknown metrics provider type \"{type}\" (spec.provider.type must be one of {string.Join(", ", KnownTypes)})"),
        };
    }

    /// <summary>The Prometheus client of builtin metrics and inline queries (the canary's or the global metrics server).</summary>
    public PrometheusMetricProvider CreatePrometheus(string metricsServer) =>
        new(CanaryDefaults.MetricInterval, new MetricTemplateProvider { Type = "prometheus", Address = metricsServer }, new Dictionary<string, byte[]>(),
            ProviderHttp.Create(httpClients, false), time);
}
