namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Provider types upstream supports that this port does not implement yet (CloudWatch, Stackdriver, Splunk, Keptn):
/// building one fails with a clear message instead of falling back to another provider.
/// </summary>
internal static class UnsupportedMetricProvider
{
    public static IMetricProvider Create(string type) =>
        throw new MetricProviderConfigException($"metric provider {type} is not supported yet by Flagger for .NET");
}
