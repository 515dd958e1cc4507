namespace Flagger.Modules.Alerting;

/// <summary>Settings one notifier is built from (AlertProvider spec + Secret, or the global flags).</summary>
internal sealed record NotifierSettings(string? Url, string? Token, string? Proxy, string Username, string Channel);

/// <summary>The module's one provider switch: AlertProvider <c>spec.type</c> → notifier.</summary>
// upstream: pkg/notifier/factory.go
internal sealed class NotifierFactory(NotificationPoster poster)
{
    /// <summary>
    /// Builds the notifier for <paramref name="type"/>; an empty URL yields <see cref="NopNotifier"/>. Throws
    /// <see cref="NotificationException"/> for an unknown type, an invalid URL or a missing username/channel.
    /// </summary>
    public INotifier Create(string? type, NotifierSettings settings)
    {
        if (string.IsNullOrEmpty(settings.Url))
        {
            return NopNotifier.Instance;
        }

        return type switch
        {
            "slack" => new SlackNotifier(poster, Endpoint("Slack hook", settings, settings.Token), Required(settings.Username, "Slack username"), Required(settings.Channel, "Slack channel")),
            "discord" => new DiscordNotifier(poster, Endpoint("Discord hook", settings, null), Required(settings.Username, "Discord username"), Required(settings.Channel, "Discord channel")),
            "rocket" => new RocketNotifier(poster, Endpoint("Rocket hook", settings, null), Required(settings.Username, "Rocket username"), Required(settings.Channel, "Rocket channel")),
            "msteams" => new MsTeamsNotifier(poster, Endpoint("MS Teams webhook", settings, null)),
            "gchat" => new GChatNotifier(poster, Endpoint("Google Chat webhook", settings, null)),
            _ => throw new NotificationException($"provider {type} not supported (spec.type must be one of slack, discord, rocket, msteams, gchat)"),
        };
    }

    private static NotifierEndpoint Endpoint(string what, NotifierSettings settings, string? token)
    {
        // The URL is a credential (it embeds the hook token), so the error names the field, not the value.
        if (!Uri.TryCreate(settings.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new NotificationException($"invalid {what} URL (address)");
        }

        return new NotifierEndpoint(url, token, string.IsNullOrEmpty(settings.Proxy) ? null : settings.Proxy);
    }

    private static string Required(string value, string what) =>
        string.IsNullOrEmpty(value) ? throw new NotificationException($"empty {what}") : value;
}
