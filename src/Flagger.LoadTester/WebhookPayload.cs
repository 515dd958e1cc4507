using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flagger.LoadTester;

/// <summary>The body Flagger posts to webhooks (<c>CanaryWebhookPayload</c>); keys match case-insensitively as in Go.</summary>
internal sealed record WebhookPayload(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonPropertyName("phase")] string? Phase,
    [property: JsonPropertyName("checksum")] string? Checksum,
    [property: JsonPropertyName("metadata")] Dictionary<string, string>? Metadata)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// Decodes a body straight from the request stream (no copy of it); null when it is not a valid payload (upstream
    /// answers 400 with no body then).
    /// </summary>
    public static async Task<WebhookPayload?> TryParseAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<WebhookPayload>(body, Options, cancellationToken).ConfigureAwait(false)
                ?? new WebhookPayload(null, null, null, null, null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;</c>, the canary key of gates and tasks.</summary>
    public string Canary => $"{Name}.{Namespace}";
}
