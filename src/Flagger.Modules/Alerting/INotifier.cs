using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>One chat provider. Throws <see cref="NotificationException"/> when the message was not delivered.</summary>
// upstream: pkg/notifier/notifier.go Interface
internal interface INotifier
{
    Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken);
}

/// <summary>A name/value line of an alert (Slack field, Teams fact, Google Chat section).</summary>
internal sealed record AlertField(string Name, string Value);

/// <summary>A notification that could not be built or delivered; the message never contains the URL or token.</summary>
internal sealed class NotificationException(string message, Exception? inner = null) : Exception(message, inner);
