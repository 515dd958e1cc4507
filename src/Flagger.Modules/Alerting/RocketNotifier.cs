using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>Rocket.Chat incoming webhook: Slack payload with colours <c>#0076D7</c> / <c>#FF0000</c> (error); no token.</summary>
// upstream: pkg/notifier/rocket.go
internal sealed class RocketNotifier(NotificationPoster poster, NotifierEndpoint endpoint, string username, string channel) : INotifier
{
    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken) =>
        poster.PostAsync(endpoint with { Token = null },
            SlackPayload.Create(channel, username, workload, @namespace, message, fields, SlackPayload.IsError(severity) ? "#FF0000" : "#0076D7"), cancellationToken);
}
