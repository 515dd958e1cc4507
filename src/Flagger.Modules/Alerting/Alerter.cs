using System.Globalization;
using System.Text;
using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Alerting;

/// <summary>
/// Resolves a canary's alert providers from the informer cache (AlertProvider, then its Secret for <c>address</c> and
/// <c>token</c>), filters them by severity, builds each notifier through <see cref="NotifierFactory"/> and posts.
/// Canaries without alerts go to the global notifier built once from <see cref="AlertingOptions"/>.
/// </summary>
// upstream: pkg/controller/events.go alert, alertMetadata; cmd/flagger/main.go initNotifier
internal sealed partial class Alerter : IAlerter
{
    internal const string GlobalAlertName = "global";

    private readonly IKubeCache _cache;
    private readonly NotifierFactory _factory;
    private readonly AlertingOptions _options;
    private readonly AlertingMetrics _metrics;
    private readonly ILogger<Alerter> _logger;
    private readonly Lazy<(INotifier Notifier, string Type)> _global;

    public Alerter(IKubeCache cache, NotifierFactory factory, IOptions<AlertingOptions> options, AlertingMetrics metrics, ILogger<Alerter> logger)
    {
        _cache = cache;
        _factory = factory;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _global = new Lazy<(INotifier, string)>(CreateGlobal);
    }

    public async Task<IReadOnlyList<AlertDelivery>> AlertAsync(Canary canary, string message, bool includeMetadata, AlertSeverity severity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var ns = canary.Metadata.NamespaceProperty ?? "";
        var fields = Fields(canary, includeMetadata);

        var alerts = canary.Spec.Analysis?.Alerts;
        if (alerts is null || alerts.Count == 0)
        {
            var (notifier, type) = _global.Value;
            if (notifier is NopNotifier)
            {
                return [];
            }

            var delivery = await SendAsync(notifier, GlobalAlertName, type, canary, message, fields, severity, cancellationToken).ConfigureAwait(false);
            return [delivery];
        }

        var deliveries = new List<AlertDelivery>();
        foreach (var alert in alerts)
        {
            if (alert is null || !ShouldSend(alert.Severity, severity))
            {
                continue;
            }

            var alertName = alert.Name ?? "";
            var providerName = alert.ProviderRef?.Name;
            var providerNamespace = string.IsNullOrEmpty(alert.ProviderRef?.Namespace) ? ns : alert.ProviderRef.Namespace;
            if (string.IsNullOrEmpty(providerName))
            {
                deliveries.Add(Failed(canary, alertName, null, $"alert {alertName}: providerRef.name is required"));
                continue;
            }

            var provider = _cache.Get<AlertProvider>(providerNamespace, providerName);
            if (provider is null)
            {
                deliveries.Add(Failed(canary, alertName, null, $"alert provider {providerName}.{providerNamespace} error: alertprovider.flagger.app \"{providerName}\" not found"));
                continue;
            }

            var type = provider.Spec.Type;
            var url = provider.Spec.Address;
            string? token = null;
            if (provider.Spec.SecretRef is { } secretRef)
            {
                var secret = string.IsNullOrEmpty(secretRef.Name) ? null : _cache.Get<V1Secret>(providerNamespace, secretRef.Name);
                if (secret is null)
                {
                    deliveries.Add(Failed(canary, alertName, type, $"alert provider {providerName}.{providerNamespace} secretRef error: secret \"{secretRef.Name}\" not found"));
                    continue;
                }

                url = SecretValue(secret, "address");
                if (url is null)
                {
                    deliveries.Add(Failed(canary, alertName, type, $"alert provider {providerName}.{providerNamespace} secret does not contain an address"));
                    continue;
                }

                token = SecretValue(secret, "token");
            }

            INotifier notifier;
            try
            {
                notifier = _factory.Create(type, new NotifierSettings(
                    url, token, provider.Spec.Proxy,
                    string.IsNullOrEmpty(provider.Spec.Username) ? "flagger" : provider.Spec.Username,
                    string.IsNullOrEmpty(provider.Spec.Channel) ? "general" : provider.Spec.Channel));
            }
            catch (NotificationException ex)
            {
                deliveries.Add(Failed(canary, alertName, type, $"alert provider {providerName}.{providerNamespace} error: {ex.Message}"));
                continue;
            }

            if (notifier is NopNotifier)
            {
                continue;
            }

            deliveries.Add(await SendAsync(notifier, alertName, type, canary, message, fields, severity, cancellationToken, $"alert provider {providerName}.{providerNamespace} send error: ").ConfigureAwait(false));
        }

        return deliveries;
    }

    /// <summary>
    /// Severity routing: an <c>info</c> (or empty, ARCHITECTURE §9) entry gets everything; otherwise equal severity,
    /// and <c>warn</c> entries also get errors. Unknown entry severities match nothing, as upstream.
    /// </summary>
    internal static bool ShouldSend(string? alertSeverity, AlertSeverity messageSeverity)
    {
        var wanted = string.IsNullOrEmpty(alertSeverity) ? "info" : alertSeverity;
        var message = SeverityText(messageSeverity);
        return wanted == "info" || wanted == message || (wanted == "warn" && messageSeverity == AlertSeverity.Error);
    }

    internal static string SeverityText(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Warn => "warn",
        AlertSeverity.Error => "error",
        _ => "info",
    };

    /// <summary>The alert fields: <c>Cluster</c> when configured, then the canary metadata when asked for.</summary>
    internal IReadOnlyList<AlertField> Fields(Canary canary, bool includeMetadata)
    {
        var fields = new List<AlertField>();
        if (!string.IsNullOrEmpty(_options.ClusterName))
        {
            fields.Add(new AlertField("Cluster", _options.ClusterName));
        }

        if (includeMetadata)
        {
            fields.AddRange(Metadata(canary));
        }

        return fields;
    }

    internal static IEnumerable<AlertField> Metadata(Canary canary)
    {
        var analysis = canary.Spec.Analysis;
        var ns = canary.Metadata.NamespaceProperty;
        yield return new AlertField("Target", $"{canary.Spec.TargetRef?.Kind}/{canary.Spec.TargetRef?.Name}.{ns}");
        yield return new AlertField("Failed checks threshold", Invariant(analysis?.Threshold is > 0 and var t ? t : 1));
        yield return new AlertField("Progress deadline", Invariant(CanaryDefaults.GetProgressDeadlineSeconds(canary.Spec)) + "s");

        var iterations = analysis?.Iterations ?? 0;
        if (analysis is not null && analysis.Match is { Count: > 0 } && iterations > 0)
        {
            yield return new AlertField("Traffic routing", "A/B Testing");
        }
        else if (analysis is not null && iterations > 0)
        {
            yield return new AlertField("Traffic routing", "Blue/Green");
        }
        else if (analysis?.StepWeight is > 0)
        {
            yield return new AlertField("Traffic routing", $"Weight step: {Invariant(analysis.StepWeight.Value)} max: {Invariant(analysis.MaxWeight ?? 0)}");
        }
        else if (analysis?.StepWeights is { Count: > 0 } steps)
        {
            yield return new AlertField("Traffic routing", $"Weight steps: {string.Join(',', steps.Select(Invariant))} max: {Invariant(analysis.MaxWeight ?? 0)}");
        }
    }

    private async Task<AlertDelivery> SendAsync(
        INotifier notifier, string alertName, string? type, Canary canary, string message, IReadOnlyList<AlertField> fields,
        AlertSeverity severity, CancellationToken cancellationToken, string errorPrefix = "alert can't be sent: ")
    {
        try
        {
            await notifier.PostAsync(canary.Metadata.Name ?? "", canary.Metadata.NamespaceProperty ?? "", message, fields, severity, cancellationToken).ConfigureAwait(false);
            return new AlertDelivery(alertName, type, true, null);
        }
        catch (NotificationException ex)
        {
            return Failed(canary, alertName, type, errorPrefix + ex.Message);
        }
    }

    private AlertDelivery Failed(Canary canary, string alertName, string? type, string error)
    {
        var name = canary.Metadata.Name ?? "";
        var ns = canary.Metadata.NamespaceProperty ?? "";
        Log.AlertFailed(_logger, $"{name}.{ns}", error);
        _metrics.IncFailures(name, ns, type ?? "unknown");
        return new AlertDelivery(alertName, type, false, error);
    }

    private (INotifier, string) CreateGlobal()
    {
        // upstream: MS Teams wins over Slack as soon as its URL is set.
        var teams = !string.IsNullOrEmpty(_options.MsTeamsUrl);
        var type = teams ? "msteams" : "slack";
        var settings = teams
            ? new NotifierSettings(_options.MsTeamsUrl, _options.SlackToken, _options.MsTeamsProxyUrl, _options.SlackUser, _options.SlackChannel ?? "")
            : new NotifierSettings(_options.SlackUrl, _options.SlackToken, _options.SlackProxyUrl, _options.SlackUser, _options.SlackChannel ?? "");
        try
        {
            return (_factory.Create(type, settings), type);
        }
        catch (NotificationException ex)
        {
            Log.GlobalNotifierDisabled(_logger, ex.Message);
            return (NopNotifier.Instance, type);
        }
    }

    private static string? SecretValue(V1Secret secret, string key)
    {
        if (secret.Data is { } data && data.TryGetValue(key, out var bytes) && bytes is not null)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return secret.StringData is { } stringData && stringData.TryGetValue(key, out var text) ? text : null;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "{Canary}: {Error}")]
        public static partial void AlertFailed(ILogger logger, string canary, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "Notifier {Error}: global notifications are disabled")]
        public static partial void GlobalNotifierDisabled(ILogger logger, string error);
    }
}
