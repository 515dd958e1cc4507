using System.Text.Json.Serialization;
using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>The Slack incoming-webhook body, also used by Discord (<c>/slack</c> endpoint) and Rocket.Chat.</summary>
// upstream: pkg/notifier/slack.go SlackPayload, SlackAttachment, SlackField
internal sealed record SlackPayload(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("icon_url")] string IconUrl,
    [property: JsonPropertyName("icon_emoji")] string IconEmoji,
    [property: JsonPropertyName("attachments")] IReadOnlyList<SlackAttachment> Attachments)
{
    /// <summary>The message as one attachment; <paramref name="color"/> depends on the provider and severity.</summary>
    public static SlackPayload Create(string channel, string username, string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, string color) =>
        new(channel, username, "", ":rocket:",
        [
            new SlackAttachment(color, $"{workload}.{@namespace}", message, ["text"], fields.Select(f => new SlackField(f.Name, f.Value, false)).ToList()),
        ]);

    public static bool IsError(AlertSeverity severity) => severity == AlertSeverity.Error;
}

internal sealed record SlackAttachment(
    [property: JsonPropertyName("color")] string Color,
    [property: JsonPropertyName("author_name")] string AuthorName,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("mrkdwn_in")] IReadOnlyList<string> MrkdwnIn,
    [property: JsonPropertyName("fields")] IReadOnlyList<SlackField> Fields);

internal sealed record SlackField(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("short")] bool Short);
