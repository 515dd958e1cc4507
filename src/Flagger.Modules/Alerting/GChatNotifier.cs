using System.Text.Json.Serialization;
using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>Google Chat incoming webhook: one card, the message as the first section, then one section per field; no token.</summary>
// upstream: pkg/notifier/gchat.go
internal sealed class GChatNotifier(NotificationPoster poster, NotifierEndpoint endpoint) : INotifier
{
    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken)
    {
        var sections = new List<Section> { Paragraph("<font color=#848484><strong>" + message + "</strong></font>") };
        sections.AddRange(fields.Select(f => Paragraph(f.Name + "<br><font color=#848484><strong>" + f.Value + "</strong></font>")));
        var payload = new Payload([new Card(new Header("Flagger", $"{workload}.{@namespace}", "https://flagger.app/favicon.png"), sections)]);
        return poster.PostAsync(endpoint with { Token = null }, payload, cancellationToken);
    }

    private static Section Paragraph(string text) => new([new Widget(new TextParagraph(text))]);

    internal sealed record Payload([property: JsonPropertyName("cards")] IReadOnlyList<Card> Cards);

    internal sealed record Card(
        [property: JsonPropertyName("header")] Header Header,
        [property: JsonPropertyName("sections")] IReadOnlyList<Section> Sections);

    internal sealed record Header(
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("subtitle")] string Subtitle,
        [property: JsonPropertyName("imageUrl")] string ImageUrl);

    internal sealed record Section([property: JsonPropertyName("widgets")] IReadOnlyList<Widget> Widgets);

    internal sealed record Widget([property: JsonPropertyName("textParagraph")] TextParagraph TextParagraph);

    internal sealed record TextParagraph([property: JsonPropertyName("text")] string Text);
}
