// Field names follow upstream's CRD (flagger.app/v1beta1, artifacts/flagger/crd.yaml); every field is nullable so that
// an object round-trips without gaining defaults. Defaults are applied in one place: CanaryDefaults.
using System.Text.Json.Serialization;

namespace Flagger.Modules.Shared.Crd;

/// <summary>CanaryStatus; upstream schema path <c>Canary.status</c>.</summary>
public sealed class CanaryStatus
{
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("failedChecks")]
    public int? FailedChecks { get; set; }

    [JsonPropertyName("canaryWeight")]
    public int? CanaryWeight { get; set; }

    [JsonPropertyName("iterations")]
    public int? Iterations { get; set; }

    [JsonPropertyName("trackedConfigs")]
    public Dictionary<string, string>? TrackedConfigs { get; set; }

    [JsonPropertyName("lastAppliedSpec")]
    public string? LastAppliedSpec { get; set; }

    [JsonPropertyName("lastPromotedSpec")]
    public string? LastPromotedSpec { get; set; }

    [JsonPropertyName("lastTransitionTime")]
    public string? LastTransitionTime { get; set; }

    [JsonPropertyName("sessionAffinityCookie")]
    public string? SessionAffinityCookie { get; set; }

    [JsonPropertyName("primarySessionAffinityCookie")]
    public string? PrimarySessionAffinityCookie { get; set; }

    [JsonPropertyName("previousSessionAffinityCookie")]
    public string? PreviousSessionAffinityCookie { get; set; }

    [JsonPropertyName("conditions")]
    public List<CanaryCondition>? Conditions { get; set; }

    /// <summary>
    /// Ours, not upstream's: the gate work (webhooks, metric checks) the canary has been waiting on since an earlier
    /// step, e.g. <c>pre-rollout webhook db-migration (running since 2026-01-01T00:00:00Z)</c>; absent when none.
    /// </summary>
    [JsonPropertyName("waitingFor")]
    public string? WaitingFor { get; set; }
}

/// <summary>CanaryCondition; upstream schema path <c>Canary.status.conditions[]</c>.</summary>
public sealed class CanaryCondition
{
    [JsonPropertyName("lastTransitionTime")]
    public string? LastTransitionTime { get; set; }

    [JsonPropertyName("lastUpdateTime")]
    public string? LastUpdateTime { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }
}
