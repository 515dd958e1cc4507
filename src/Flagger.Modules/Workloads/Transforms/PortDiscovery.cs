using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>Ports added to generated Services with <c>service.portDiscovery</c> (upstream <c>pkg/canary/util.go getPorts</c>).</summary>
internal static class PortDiscovery
{
    private static readonly HashSet<string> Sidecars = ["istio-proxy", "envoy"];

    public static IReadOnlyDictionary<string, int> Discover(CanaryService? service, IEnumerable<V1Container>? containers)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var targetPort = service?.TargetPort?.Value;
        foreach (var container in containers ?? [])
        {
            if (Sidecars.Contains(container.Name))
            {
                continue;
            }

            var index = 0;
            foreach (var port in container.Ports ?? [])
            {
                var i = index++;
                var excluded = string.IsNullOrEmpty(targetPort) || targetPort == "0"
                    ? port.ContainerPort == service?.Port
                    : int.TryParse(targetPort, out var number) ? port.ContainerPort == number : port.Name == targetPort;
                if (excluded)
                {
                    continue;
                }

                ports[string.IsNullOrEmpty(port.Name) ? $"tcp-{container.Name}-{i}" : port.Name] = port.ContainerPort;
            }
        }

        return ports;
    }
}
