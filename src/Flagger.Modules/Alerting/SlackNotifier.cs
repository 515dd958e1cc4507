using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>Slack incoming webhook; colour <c>good</c>, or <c>danger</c> for errors; bearer token when configured.</summary>
// upstream: pkg/notifier/slack.go
internal sealed class SlackNotifier(NotificationPoster poster, NotifierEndpoint endpoint, string username, string channel) : INotifier
{
    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken) =>
        poster.PostAsync(endpoint, SlackPayload.Create(channel, username, workload, @namespace, message, fields, SlackPayload.IsError(severity) ? "danger" : "good"), cancellationToken);
}
