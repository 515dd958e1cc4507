using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Flagger.AlertReceiver;

/// <summary>Renders received alerts as a small HTML page; Slack attachments (author, text, fields) are shown as such.</summary>
internal static class AlertPage
{
    public static string Render(IReadOnlyList<ReceivedAlert> alerts)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
            .Append("<title>Flagger alerts</title><style>body{font-family:sans-serif;margin:2em}")
            .Append(".alert{border-left:6px solid #999;padding:.5em 1em;margin:.8em 0;background:#f6f6f6}")
            .Append(".meta{color:#666;font-size:.85em}pre{white-space:pre-wrap}</style></head><body>")
            .Append(CultureInfo.InvariantCulture, $"<h1>Alerts received ({alerts.Count})</h1>")
            .Append("<p class=\"meta\">Slack-compatible webhook: POST JSON to any path. Refreshes every 5 s. JSON: <a href=\"/alerts\">/alerts</a></p>");
        if (alerts.Count == 0)
        {
            html.Append("<p>No alerts yet.</p>");
        }

        foreach (var alert in alerts)
        {
            var attachments = alert.Body["attachments"] as JsonArray;
            var color = CssColor(Text(attachments?.FirstOrDefault()?["color"]));
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"alert\" style=\"border-left-color:{Encode(color)}\">")
                .Append(CultureInfo.InvariantCulture, $"<div class=\"meta\">{alert.ReceivedAt:u} POST {Encode(alert.Path)}")
                .Append(CultureInfo.InvariantCulture, $" channel {Encode(Text(alert.Body["channel"]))} user {Encode(Text(alert.Body["username"]))}</div>");
            if (Text(alert.Body["text"]) is { Length: > 0 } text)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>{Encode(text)}</p>");
            }

            foreach (var attachment in attachments ?? [])
            {
                html.Append(CultureInfo.InvariantCulture, $"<p><b>{Encode(Text(attachment?["author_name"]))}</b> {Encode(Text(attachment?["text"]))}</p>");
                foreach (var field in attachment?["fields"] as JsonArray ?? [])
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div>{Encode(Text(field?["title"]))}: {Encode(Text(field?["value"]))}</div>");
                }
            }

            if (attachments is null && Text(alert.Body["text"]) is not { Length: > 0 })
            {
                html.Append(CultureInfo.InvariantCulture, $"<pre>{Encode(alert.Body.ToJsonString(AlertJson.Options))}</pre>");
            }

            html.Append("</div>");
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>Slack's named colours (good, warning, danger) or a #rrggbb value; anything else is grey.</summary>
    internal static string CssColor(string slackColor) => slackColor switch
    {
        "good" => "#2eb886",
        "warning" => "#daa038",
        "danger" => "#a30200",
        { Length: 7 } hex when hex[0] == '#' && hex[1..].All(Uri.IsHexDigit) => hex,
        _ => "#999",
    };

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) ? s : "";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
