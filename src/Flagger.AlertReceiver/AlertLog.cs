using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flagger.AlertReceiver;

/// <summary>One received webhook call.</summary>
internal sealed record ReceivedAlert(DateTimeOffset ReceivedAt, string Path, JsonNode Body);

internal static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>The last <c>capacity</c> alerts, thread-safe.</summary>
internal sealed class AlertLog(int capacity, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<ReceivedAlert> _alerts = new();

    /// <summary>Stores a JSON body; returns an error text when the body is not a JSON object.</summary>
    public string? Add(string path, string body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return $"body: invalid JSON: {ex.Message}";
        }

        if (node is not JsonObject)
        {
            return "body: must be a JSON object";
        }

        lock (_gate)
        {
            _alerts.AddFirst(new ReceivedAlert(time.GetUtcNow(), path, node));
            while (_alerts.Count > capacity)
            {
                _alerts.RemoveLast();
            }
        }

        return null;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ReceivedAlert> Snapshot()
    {
        lock (_gate)
        {
            return [.. _alerts];
        }
    }
}
