using System.Text.Json;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Routing.Kubernetes;

/// <summary>
/// Keeps the apex, <c>-primary</c> and <c>-canary</c> ClusterIP Services of a workload canary as upstream does
/// (upstream: pkg/router/kubernetes_default.go). Reads come from the cache; a Service is written only when its ports,
/// selector or (for Services this canary owns) metadata differ, so a steady-state reconcile writes nothing.
/// A user's pre-existing Service is taken over by selector and ports only; its original selector and ports are kept
/// in <c>flagger.kubernetes.io/original-configuration</c> so that finalization can restore them.
/// </summary>
internal sealed partial class KubernetesServiceRouter(RoutingObjectStore store, ILogger<KubernetesServiceRouter> logger)
    : IServiceRouter
{
    public async Task InitializeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        var service = RequireService(canary);
        await ReconcileServiceAsync(canary, target, canaryName, target.LabelValue, service.Canary, cancellationToken).ConfigureAwait(false);
        await ReconcileServiceAsync(canary, target, primary, target.LabelValue + "-primary", service.Primary, cancellationToken).ConfigureAwait(false);
    }

    public Task ReconcileAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var service = RequireService(canary);
        return ReconcileServiceAsync(canary, target, apex, target.LabelValue + "-primary", service.Apex, cancellationToken);
    }

    public async Task FinalizeAsync(Canary canary, ServiceTarget target, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<V1Service>(ns, apex);

        // Services created by Flagger (any Canary controller) go away with their owner.
        if (existing is null || CanaryController(existing.Metadata) is not null)
        {
            return;
        }

        var clone = Clone(existing);
        clone.Metadata.Annotations ??= new Dictionary<string, string>();
        if (existing.Metadata.Annotations?.TryGetValue(KubectlAnnotation, out var lastApplied) == true)
        {
            // upstream: pkg/router/kubernetes_default.go Finalize, selector from kubectl's last-applied configuration
            clone.Spec.Selector = Parse<V1Service>(lastApplied, apex, ns, KubectlAnnotation).Spec?.Selector;
        }
        else if (existing.Metadata.Annotations?.TryGetValue(OriginalConfigurationAnnotation, out var original) == true)
        {
            var spec = Parse<V1ServiceSpec>(original, apex, ns, OriginalConfigurationAnnotation);
            clone.Spec.Selector = spec.Selector;
            clone.Spec.Ports = spec.Ports;
        }
        else
        {
            clone.Spec.Selector = new Dictionary<string, string> { [target.LabelSelector] = target.LabelValue };
            clone.Spec.Ports = DesiredPorts(RequireService(canary), target, existing);
        }

        clone.Metadata.Annotations.Remove(OriginalConfigurationAnnotation);
        if (MapEquals(clone.Spec.Selector, existing.Spec.Selector) && PortsEqual(clone.Spec.Ports, existing.Spec.Ports)
            && MapEquals(clone.Metadata.Annotations, existing.Metadata.Annotations))
        {
            return;
        }

        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        Log.ServiceReverted(logger, apex, ns, Id(canary));
    }

    private async Task ReconcileServiceAsync(
        Canary canary, ServiceTarget target, string name, string podSelector, CustomMetadata? metadata, CancellationToken cancellationToken)
    {
        var service = RequireService(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var selector = new Dictionary<string, string> { [target.LabelSelector] = podSelector };
        var labels = metadata?.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata.Labels);
        labels[target.LabelSelector] = name;
        var annotations = WithFluxDisabled(metadata?.Annotations);

        var existing = store.Get<V1Service>(ns, name);
        if (existing is null)
        {
            var created = new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = labels,
                    Annotations = annotations,
                    OwnerReferences = [ControllerRef(canary)],
                },
                Spec = new V1ServiceSpec
                {
                    Type = "ClusterIP",
                    Selector = selector,
                    Ports = DesiredPorts(service, target, existing: null),
                    ClusterIP = service.Headless == true ? "None" : null,
                    TrafficDistribution = string.IsNullOrEmpty(service.TrafficDistribution) ? null : service.TrafficDistribution,
                },
            };
            await store.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            Log.ServiceCreated(logger, name, ns, Id(canary));
            return;
        }

        var ports = DesiredPorts(service, target, existing);
        var routingChanged = !PortsEqual(ports, existing.Spec?.Ports) || !MapEquals(selector, existing.Spec?.Selector);

        // Metadata (and trafficDistribution) only of Services this canary created, keeping unmanaged keys.
        bool annotationsChanged = false, labelsChanged = false, distributionChanged = false;
        var distribution = string.IsNullOrEmpty(service.TrafficDistribution) ? null : service.TrafficDistribution;
        if (CanaryController(existing.Metadata) is { } owner && owner.Name == canary.Metadata.Name)
        {
            foreach (var key in service.UnmanagedMetadata?.Annotations ?? [])
            {
                if (existing.Metadata.Annotations?.TryGetValue(key, out var value) == true)
                {
                    annotations[key] = value;
                }
            }

            foreach (var key in service.UnmanagedMetadata?.Labels ?? [])
            {
                if (existing.Metadata.Labels?.TryGetValue(key, out var value) == true)
                {
                    labels[key] = value;
                }
            }

            annotationsChanged = !MapEquals(annotations, existing.Metadata.Annotations);
            labelsChanged = !MapEquals(labels, existing.Metadata.Labels);
            distributionChanged = distribution != existing.Spec?.TrafficDistribution;
        }

        if (!routingChanged && !annotationsChanged && !labelsChanged && !distributionChanged)
        {
            return;
        }

        var clone = Clone(existing);
        clone.Spec ??= new V1ServiceSpec();
        if (routingChanged)
        {
            clone.Spec.Ports = ports;
            clone.Spec.Selector = selector;

            // Takeover of a user's Service: remember what it selected so that finalization can give it back.
            if (CanaryController(existing.Metadata) is null
                && existing.Metadata.Annotations?.ContainsKey(OriginalConfigurationAnnotation) != true)
            {
                clone.Metadata.Annotations ??= new Dictionary<string, string>();
                clone.Metadata.Annotations[OriginalConfigurationAnnotation] = KubernetesJson.Serialize(
                    new V1ServiceSpec { Selector = existing.Spec?.Selector, Ports = existing.Spec?.Ports });
            }
        }

        if (annotationsChanged)
        {
            clone.Metadata.Annotations = annotations;
        }

        if (labelsChanged)
        {
            clone.Metadata.Labels = labels;
        }

        if (distributionChanged)
        {
            clone.Spec.TrafficDistribution = distribution;
        }

        clone.Metadata.Annotations = WithFluxDisabled(clone.Metadata.Annotations);
        await store.ReplaceAsync(clone, cancellationToken).ConfigureAwait(false);
        Log.ServiceUpdated(logger, name, ns, Id(canary));
    }

    /// <summary>Main port, then discovered ports by port number; NodePorts of same-named existing ports are kept.</summary>
    private static List<V1ServicePort> DesiredPorts(CanaryService service, ServiceTarget target, V1Service? existing)
    {
        var port = service.Port!.Value;
        IntOrString targetPort = service.TargetPort is { } configured && !string.IsNullOrEmpty(configured.Value) && configured.Value != "0"
            ? configured
            : port;
        var ports = new List<V1ServicePort>
        {
            new()
            {
                Name = string.IsNullOrEmpty(service.PortName) ? "http" : service.PortName,
                Protocol = "TCP",
                Port = port,
                TargetPort = targetPort,
                AppProtocol = string.IsNullOrEmpty(service.AppProtocol) ? null : service.AppProtocol,
            },
        };
        ports.AddRange(target.DiscoveredPorts
            .OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new V1ServicePort { Name = p.Key, Protocol = "TCP", Port = p.Value, TargetPort = p.Value }));

        foreach (var desired in ports)
        {
            if (existing?.Spec?.Ports?.FirstOrDefault(p => p.Name == desired.Name && p.NodePort > 0) is { } current)
            {
                desired.NodePort = current.NodePort;
            }
        }

        return ports;
    }

    /// <summary>Same ports in any order; a missing protocol is the server default TCP.</summary>
    private static bool PortsEqual(IList<V1ServicePort>? left, IList<V1ServicePort>? right)
    {
        if ((left?.Count ?? 0) != (right?.Count ?? 0))
        {
            return false;
        }

        var l = (left ?? []).OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        var r = (right ?? []).OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        return l.Zip(r).All(pair =>
            pair.First.Name == pair.Second.Name
            && (pair.First.Protocol ?? "TCP") == (pair.Second.Protocol ?? "TCP")
            && pair.First.Port == pair.Second.Port
            && pair.First.TargetPort?.Value == pair.Second.TargetPort?.Value
            && pair.First.AppProtocol == pair.Second.AppProtocol
            && (pair.First.NodePort ?? 0) == (pair.Second.NodePort ?? 0));
    }

    private static T Parse<T>(string json, string name, string ns, string annotation)
    {
        try
        {
            return KubernetesJson.Deserialize<T>(json);
        }
        catch (JsonException e)
        {
            throw new RoutingException($"Service {name}.{ns}: failed to read annotation {annotation}: {e.Message}", e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}.{Namespace} created (canary {Canary})")]
        public static partial void ServiceCreated(ILogger logger, string name, string @namespace, string canary);

        [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}.{Namespace} updated (canary {Canary})")]
        public static partial void ServiceUpdated(ILogger logger, string name, string @namespace, string canary);

        [LoggerMessage(Level = LogLevel.Information, Message = "Service {Name}.{Namespace} reverted to its original selector (canary {Canary})")]
        public static partial void ServiceReverted(ILogger logger, string name, string @namespace, string canary);
    }
}
