using System.Globalization;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.Modules.Rollout.Reconciler;

/// <summary>
/// The <c>Validated</c> condition that carries spec validation errors: <c>False</c> with reason <c>InvalidSpec</c> and
/// the errors as message while the spec is invalid, absent while it is valid. It is written with the step's one status
/// write, never on its own path.
/// </summary>
// upstream: verifyCanary in pkg/controller/controller.go (upstream only logs; the condition is ours)
internal static class ValidatedCondition
{
    /// <summary>The condition type.</summary>
    public const string Type = "Validated";

    /// <summary>The condition in <paramref name="status"/>, or null.</summary>
    public static CanaryCondition? Find(CanaryStatus? status) => status?.Conditions?.FirstOrDefault(c => c.Type == Type);

    /// <summary>A copy of <paramref name="canary"/> whose status no longer has the condition.</summary>
    public static Canary Without(Canary canary)
    {
        var copy = KubernetesJson.Deserialize<Canary>(KubernetesJson.Serialize(canary));
        copy.Status!.Conditions = copy.Status.Conditions!.Where(c => c.Type != Type).ToList();
        return copy;
    }

    /// <summary>A copy of <paramref name="status"/> with <c>Validated=False</c> carrying <paramref name="message"/> (last of the conditions).</summary>
    public static CanaryStatus Invalid(CanaryStatus? status, string message, DateTimeOffset now)
    {
        var copy = status is null ? new CanaryStatus() : KubernetesJson.Deserialize<CanaryStatus>(KubernetesJson.Serialize(status));
        var stamp = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        copy.Conditions = (copy.Conditions ?? []).Where(c => c.Type != Type).ToList();
        copy.Conditions.Add(new CanaryCondition
        {
            Type = Type,
            Status = "False",
            Reason = "InvalidSpec",
            Message = message,
            LastTransitionTime = stamp,
            LastUpdateTime = stamp,
        });
        return copy;
    }
}
