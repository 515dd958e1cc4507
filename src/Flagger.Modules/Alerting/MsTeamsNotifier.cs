using System.Text.Json.Serialization;
using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>Microsoft Teams incoming webhook, legacy <c>MessageCard</c>; theme <c>0076D7</c> or <c>FF0000</c> for errors; no token.</summary>
// upstream: pkg/notifier/teams.go
internal sealed class MsTeamsNotifier(NotificationPoster poster, NotifierEndpoint endpoint) : INotifier
{
    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken)
    {
        var subject = $"{workload}.{@namespace}";
        var payload = new MessageCard(
            "MessageCard",
            "http://schema.org/extensions",
            severity == AlertSeverity.Error ? "FF0000" : "0076D7",
            subject,
            [new Section(message, subject, fields.Select(f => new Fact(f.Name, f.Value)).ToList())]);
        return poster.PostAsync(endpoint with { Token = null }, payload, cancellationToken);
    }

    internal sealed record MessageCard(
        [property: JsonPropertyName("@type")] string Type,
        [property: JsonPropertyName("@context")] string Context,
        [property: JsonPropertyName("themeColor")] string ThemeColor,
        [property: JsonPropertyName("summary")] string Summary,
        [property: JsonPropertyName("sections")] IReadOnlyList<Section> Sections);

    internal sealed record Section(
        [property: JsonPropertyName("activityTitle")] string ActivityTitle,
        [property: JsonPropertyName("activitySubtitle")] string ActivitySubtitle,
        [property: JsonPropertyName("facts")] IReadOnlyList<Fact> Facts);

    internal sealed record Fact(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("value")] string Value);
}
