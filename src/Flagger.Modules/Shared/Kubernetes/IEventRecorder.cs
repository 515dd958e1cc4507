using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>Kubernetes Events on an involved object, as upstream records them (source component <c>flagger</c>).</summary>
public interface IEventRecorder
{
    /// <summary>Records an event; <paramref name="type"/> is <c>Normal</c> or <c>Warning</c>, <paramref name="reason"/> upstream's (<c>Synced</c>).</summary>
    Task RecordAsync(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, CancellationToken cancellationToken);
}
