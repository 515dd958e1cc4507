using System.Text;
using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Tests.Analysis;

/// <summary>Canaries, templates and secrets shaped like upstream's e2e objects.</summary>
internal static class AnalysisFixtures
{
    public static Canary Podinfo(params CanaryMetric[] metrics) => new()
    {
        Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            Service = new CanaryService { Port = 9898 },
            Analysis = new CanaryAnalysis { Interval = "15s", Threshold = 15, MaxWeight = 30, StepWeight = 10, Metrics = [.. metrics] },
        },
    };

    public static CanaryMetric SuccessRate(double? min = 99, double? max = null, double? threshold = null, string? interval = "1m") => new()
    {
        Name = "request-success-rate",
        Interval = interval,
        Threshold = threshold,
        ThresholdRange = min is null && max is null ? null : new CanaryThresholdRange { Min = min, Max = max },
    };

    public static CanaryMetric Duration(double? max = 500, double? min = null, double? threshold = null, string? interval = "30s") => new()
    {
        Name = "request-duration",
        Interval = interval,
        Threshold = threshold,
        ThresholdRange = min is null && max is null ? null : new CanaryThresholdRange { Min = min, Max = max },
    };

    public static CanaryMetric TemplateMetric(string name, string template, string? ns = null, double? max = null, double? min = null,
        double? threshold = null, Dictionary<string, string>? variables = null, string? interval = "1m") => new()
    {
        Name = name,
        Interval = interval,
        Threshold = threshold,
        ThresholdRange = min is null && max is null ? null : new CanaryThresholdRange { Min = min, Max = max },
        TemplateRef = new CrossNamespaceObjectReference { Name = template, Namespace = ns },
        TemplateVariables = variables,
    };

    public static MetricTemplate Template(string ns, string name, string type, string? address, string query, string? secret = null,
        Dictionary<string, List<string>>? headers = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new MetricTemplateSpec
        {
            Provider = new MetricTemplateProvider
            {
                Type = type,
                Address = address,
                Headers = headers,
                SecretRef = secret is null ? null : new LocalSecretReference { Name = secret },
            },
            Query = query,
        },
    };

    public static V1Secret Secret(string ns, string name, params (string Key, string Value)[] data) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
    };

    /// <summary>A MetricTemplate provider block (<c>secret</c>: a <c>secretRef</c> is set).</summary>
    public static MetricTemplateProvider Provider(string type, string? address, bool secret = false, Dictionary<string, List<string>>? headers = null) => new()
    {
        Type = type,
        Address = address,
        SecretRef = secret ? new LocalSecretReference { Name = $"{type}-secret" } : null,
        Headers = headers,
    };

    public static Dictionary<string, byte[]> Credentials(params (string Key, string Value)[] data) =>
        data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value));

    /// <summary>A Prometheus instant-vector answer with one series per value.</summary>
    public static string Vector(params string[] values) =>
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" +
        string.Join(",", values.Select((v, i) => $"{{\"metric\":{{\"series\":\"{i}\"}},\"value\":[1700000000.123,\"{v}\"]}}")) + "]}}";

    public const string EmptyVector = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";

    public const string Matrix = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1700000000,\"1\"],[1700000015,\"2\"]]}]}}";
}
