using Flagger.Modules.Analysis.Providers;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class MetricProviderFactoryTests
{
    private static readonly MetricProviderFactory Factory = new(new TestHttpClientFactory(), TimeProvider.System);

    [Fact]
    public void No_known_type_is_unsupported()
    {
        foreach (var type in MetricProviderFactory.KnownTypes)
        {
            try
            {
                Factory.Create("1m", new() { Type = type, Address = "http://127.0.0.1:9090", Region = "us-east-1" }, new Dictionary<string, byte[]>());
            }
            catch (MetricProviderConfigException e)
            {
                Assert.DoesNotContain("not supported", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Keptn_needs_the_cluster_access() =>
        Assert.Equal("could not initialize KeptnProvider: no KubeConfig provided",
            Assert.Throws<MetricProviderConfigException>(() => Factory.Create("1m", new() { Type = "keptn" }, new Dictionary<string, byte[]>())).Message);

    [Fact]
    public void An_unknown_type_is_an_error_naming_the_field() =>
        Assert.StartsWith("unknown metrics provider type \"promql\" (spec.provider.type must be one of prometheus,",
            Assert.Throws<MetricProviderConfigException>(() => Factory.Create("1m", new() { Type = "promql", Address = "http://x" }, new Dictionary<string, byte[]>())).Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("prometheus", typeof(PrometheusMetricProvider))]
    [InlineData("graphite", typeof(GraphiteMetricProvider))]
    [InlineData("influxdb", typeof(InfluxDbMetricProvider))]
    [InlineData("externalmetrics", typeof(ExternalMetricsProvider))]
    [InlineData("stackdriver", typeof(StackdriverMetricProvider))]
    public void Each_type_builds_its_provider(string type, Type expected) =>
        Assert.IsType(expected, Factory.Create("1m", new() { Type = type, Address = "http://127.0.0.1:9090" }, new Dictionary<string, byte[]>()));

    [Fact]
    public void Cloudwatch_builds_with_a_region_and_names_a_missing_one()
    {
        Assert.IsType<CloudWatchMetricProvider>(Factory.Create("1m", new() { Type = "cloudwatch", Region = "eu-west-1" }, new Dictionary<string, byte[]>()));
        Assert.Equal("region not specified",
            Assert.Throws<MetricProviderConfigException>(() => Factory.Create("1m", new() { Type = "cloudwatch" }, new Dictionary<string, byte[]>())).Message);
    }
}
