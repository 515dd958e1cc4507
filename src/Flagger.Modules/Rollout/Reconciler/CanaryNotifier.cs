using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// What users see of a step: a Kubernetes Event on the Canary (reason <c>Synced</c>), the same text to the canary's
/// event webhooks (or the global one) and to the log; alerts to the canary's providers. Never throws for delivery.
/// </summary>
// upstream: pkg/controller/events.go
internal sealed partial class CanaryNotifier(IEventRecorder events, IEventWebhook eventWebhook, IAlerter alerter, ILogger<CanaryNotifier> logger)
{
    public const string Reason = "Synced";

    public async Task EventAsync(StepContext step, bool warning, string message, CancellationToken cancellationToken)
    {
        var canary = step.Canary;
        var type = warning ? "Warning" : "Normal";
        using (logger.BeginScope(new Dictionary<string, object> { ["canary"] = $"{canary.Metadata.Name}.{canary.Metadata.NamespaceProperty}" }))
        {
            if (warning)
            {
                Log.Warning(logger, message);
            }
            else
            {
                Log.Info(logger, message);
            }
        }

        await events.RecordAsync(canary, type, Reason, message, cancellationToken);
        await eventWebhook.PublishAsync(canary, type, message, cancellationToken);
    }

    public async Task AlertAsync(StepContext step, AlertSeverity severity, string message, bool withMetadata, CancellationToken cancellationToken)
    {
        var deliveries = await alerter.AlertAsync(step.Canary, message, withMetadata, severity, cancellationToken);

        // A broken AlertProvider (unknown type, missing secret or address, unreachable endpoint) is shown on the canary,
        // not only logged: the user who reads `kubectl describe canary` learns why no alert arrived.
        foreach (var failed in deliveries.Where(d => !d.Delivered))
        {
            await events.RecordAsync(step.Canary, "Warning", Reason, $"alert {failed.Alert} not delivered: {failed.Error}", cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
        public static partial void Info(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
        public static partial void Warning(ILogger logger, string message);
    }
}
