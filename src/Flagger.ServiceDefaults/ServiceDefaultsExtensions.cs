using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire conventions shared by every process: OpenTelemetry logs, traces and metrics (exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set) and health checks. Unlike the Aspire template, the probe endpoints are
/// mapped in every environment, because a Kubernetes operator must always answer its liveness and readiness probes.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of checks that decide readiness (<c>/readyz</c>); every check decides liveness only if tagged <c>live</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of checks that decide liveness (<c>/healthz</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>Adds OpenTelemetry and the default liveness check.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing.AddSource(builder.Environment.ApplicationName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>Maps <c>/healthz</c> (checks tagged <c>live</c>) and <c>/readyz</c> (checks tagged <c>ready</c>), always.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }
}
