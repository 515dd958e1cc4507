using System.Text.Json.Serialization;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Webhooks;

/// <summary>The body every webhook receives, in upstream's field order (<c>CanaryWebhookPayload</c>).</summary>
// upstream: pkg/apis/flagger/v1beta1/canary.go, CanaryWebhookPayload
internal sealed record WebhookPayload(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("checksum")] string Checksum,
    [property: JsonPropertyName("metadata"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    SortedDictionary<string, string>? Metadata)
{
    /// <summary>The payload for <paramref name="canary"/>; metadata keys are sorted as Go sorts map keys, and dropped when empty.</summary>
    public static WebhookPayload For(Canary canary, string phase, IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? [])
        {
            sorted[key] = value ?? "";
        }

        return new WebhookPayload(
            canary.Metadata.Name ?? "",
            canary.Metadata.NamespaceProperty ?? "",
            phase,
            WebhookChecksum.Compute(canary.Status),
            sorted.Count == 0 ? null : sorted);
    }

    /// <summary>The payload spelling of a phase: <see cref="CanaryPhase.None"/> is the empty string.</summary>
    public static string PhaseText(CanaryPhase phase) => phase == CanaryPhase.None ? "" : phase.ToString();
}
