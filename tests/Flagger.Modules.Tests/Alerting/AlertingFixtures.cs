using System.Text;
using Flagger.Modules.Alerting;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Flagger.Modules.Tests.Alerting;

internal sealed class AlertingFixture
{
    public InMemoryKube Kube { get; } = new();

    public RecordingTimeProvider Time { get; } = new();

    public AlertingMetrics Metrics { get; } = new(Prometheus.Metrics.NewCustomRegistry());

    public AlertingOptions Options { get; } = new();

    public Alerter Alerter() =>
        new(Kube, new NotifierFactory(new NotificationPoster(Time)), Microsoft.Extensions.Options.Options.Create(Options), Metrics, NullLogger<Alerter>.Instance);

    public AlertProvider Provider(string name, string type, string? address, string ns = "test", Action<AlertProviderSpec>? configure = null)
    {
        var provider = new AlertProvider { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = new AlertProviderSpec { Type = type, Address = address } };
        configure?.Invoke(provider.Spec);
        return Kube.Seed(provider);
    }

    public V1Secret Secret(string name, Dictionary<string, string> data, string ns = "test") =>
        Kube.Seed(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)),
        });

    public static Canary Canary(params CanaryAlert[] alerts) => new()
    {
        Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            Analysis = new CanaryAnalysis { Threshold = 5, MaxWeight = 50, StepWeight = 10, Alerts = [.. alerts] },
        },
    };

    public static CanaryAlert Alert(string name, string provider, string? severity = null, string? providerNamespace = null) =>
        new() { Name = name, Severity = severity, ProviderRef = new CrossNamespaceObjectReference { Name = provider, Namespace = providerNamespace } };
}
