using System.Globalization;
using System.Text.Json.Serialization;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Json;

namespace Flagger.Modules.Webhooks;

/// <summary>
/// The webhook <c>checksum</c>: identifies one configuration of a canary's target (tracked configs + last applied
/// spec). Upstream hashes a Go <c>spew</c> dump, which cannot be reproduced (inventory §0.3); we hash canonical JSON with
/// the same FNV-32a and the same <c>SafeEncodeString</c> alphabet, so the value keeps upstream's short opaque format.
/// </summary>
// upstream: pkg/controller/webhook.go canaryChecksum, pkg/canary/spec.go ComputeHash
internal static class WebhookChecksum
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(CanaryStatus? status)
    {
        SortedDictionary<string, string>? tracked = status?.TrackedConfigs is { } configs
            ? new SortedDictionary<string, string>(configs, StringComparer.Ordinal)
            : null;
        var bytes = GoJson.Serialize(new ChecksumInput(tracked, status?.LastAppliedSpec ?? ""));

        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 16777619u;
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, static (span, d) =>
        {
            for (var i = 0; i < d.Length; i++)
            {
                span[i] = SafeAlphabet[d[i] % SafeAlphabet.Length];
            }
        });
    }

    private sealed record ChecksumInput(
        [property: JsonPropertyName("TrackedConfigs")] SortedDictionary<string, string>? TrackedConfigs,
        [property: JsonPropertyName("LastAppliedSpec")] string LastAppliedSpec);
}
