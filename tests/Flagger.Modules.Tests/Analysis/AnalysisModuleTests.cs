using Flagger.Modules.Analysis;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Analysis;

public class AnalysisModuleTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<IKubeCache>(new InMemoryKube());
        builder.AddSharedModule();
        builder.AddAnalysisModule();
        return builder.Build();
    }

    [Fact]
    public async Task The_module_registers_the_analyzer_with_bound_options()
    {
        await using var prometheus = new StubHttpServer(_ => (200, AnalysisFixtures.Vector("99.9")));
        using var host = Build(new()
        {
            ["Flagger:MetricsServer"] = prometheus.Url,
            ["Flagger:MeshProvider"] = "linkerd",
            ["Flagger:NoCrossNamespaceRefs"] = "true",
        });

        var options = host.Services.GetRequiredService<IOptions<AnalysisOptions>>().Value;
        Assert.Equal("linkerd", options.MeshProvider);
        Assert.True(options.NoCrossNamespaceRefs);

        var analyzer = host.Services.GetRequiredService<ICanaryAnalyzer>();
        var result = await analyzer.AnalyzeAsync(AnalysisFixtures.Podinfo(AnalysisFixtures.SuccessRate()), TestContext.Current.CancellationToken);
        Assert.True(result.Passed);
        Assert.Equal("linkerd", result.Metrics[0].Provider);
        Assert.Contains("response_total", prometheus.Single().Query["query"], StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_match_upstreams_flags()
    {
        var options = new AnalysisOptions();
        Assert.Equal("http://prometheus:9090", options.MetricsServer);
        Assert.Equal("istio", options.MeshProvider);
        Assert.False(options.NoCrossNamespaceRefs);
    }

    [Fact]
    public void Insecure_skip_verify_selects_the_insecure_http_client()
    {
        var clients = new RecordingClientFactory();
        var factory = new MetricProviderFactory(clients, TimeProvider.System);
        factory.Create("1m", new MetricTemplateProvider { Type = "prometheus", Address = "https://prom:9090", InsecureSkipVerify = true }, new Dictionary<string, byte[]>());
        factory.Create("1m", new MetricTemplateProvider { Type = "graphite", Address = "https://graphite" }, new Dictionary<string, byte[]>());

        Assert.Equal([ProviderHttp.InsecureClient, ProviderHttp.Client], clients.Names);
    }

    private sealed class RecordingClientFactory : IHttpClientFactory
    {
        public List<string> Names { get; } = [];

        public HttpClient CreateClient(string name)
        {
            Names.Add(name);
            return new HttpClient();
        }
    }
}
