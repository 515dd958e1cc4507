using System.Net.Http;
using Flagger.Modules.Analysis.Contracts;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Analysis;

/// <summary>Registers the analysis module: <see cref="ICanaryAnalyzer"/>, the provider factory and its HTTP clients.</summary>
public static class AnalysisModule
{
    /// <summary>
    /// Adds <see cref="ICanaryAnalyzer"/>. Needs <c>IKubeCache</c> (MetricTemplates, Secrets) and <c>TimeProvider</c>
    /// from the Shared module; binds <see cref="AnalysisOptions"/> from the <c>Flagger</c> configuration section.
    /// </summary>
    public static IHostApplicationBuilder AddAnalysisModule(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AnalysisOptions>().BindConfiguration(AnalysisOptions.Section);

        // Each request has its own 5 s (InfluxDB 15 s) timeout; the client timeout is only a backstop.
        builder.Services.AddHttpClient(ProviderHttp.Client, c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddHttpClient(ProviderHttp.InsecureClient, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler
            {
                // spec.provider.insecureSkipVerify: true (Prometheus, Graphite, external metrics)
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            });
        builder.Services.AddSingleton<MetricProviderFactory>();
        builder.Services.AddSingleton<ICanaryAnalyzer, CanaryAnalyzer>();
        builder.Services.AddWatch<MetricTemplate>().AddWatch<V1Secret>().AddWatch<Shared.Knative.KnativeService>("knative");
        return builder;
    }
}
