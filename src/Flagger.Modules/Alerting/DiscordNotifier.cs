using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>Discord through its Slack-compatible endpoint: <c>/slack</c> is appended to the hook path when missing; no token.</summary>
// upstream: pkg/notifier/discord.go
internal sealed class DiscordNotifier(NotificationPoster poster, NotifierEndpoint endpoint, string username, string channel) : INotifier
{
    /// <summary>The hook URL with <c>/slack</c> appended to its path unless the URL already ends with it.</summary>
    public static Uri SlackCompatible(Uri hook)
    {
        if (hook.OriginalString.EndsWith("/slack", StringComparison.Ordinal))
        {
            return hook;
        }

        var builder = new UriBuilder(hook);
        builder.Path = builder.Path.TrimEnd('/') + "/slack";
        return builder.Uri;
    }

    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken) =>
        poster.PostAsync(endpoint with { Url = SlackCompatible(endpoint.Url), Token = null },
            SlackPayload.Create(channel, username, workload, @namespace, message, fields, SlackPayload.IsError(severity) ? "danger" : "good"), cancellationToken);
}
