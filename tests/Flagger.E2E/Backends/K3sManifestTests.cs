using Flagger.E2E.Environment;
using k8s.Models;

namespace Flagger.E2E.Backends;

/// <summary>The k3s backend cannot run here (no container engine); what it applies is checked offline.</summary>
public sealed class K3sManifestTests
{
    [Fact]
    public void The_k3s_infrastructure_manifest_parses_and_publishes_prometheus_and_the_loadtester_on_the_requested_node_ports()
    {
        var objects = KubernetesYaml.LoadAllFromString(Manifests.Infrastructure(30090, 30080));

        Assert.Equal(
            ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Service", "Deployment", "Service"],
            objects.Select(o => ((IKubernetesObject)o).Kind));
        var services = objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);
        Assert.Equal(30090, Assert.Single(services["prometheus"].Spec.Ports).NodePort);
        Assert.Equal(30080, Assert.Single(services["flagger-loadtester"].Spec.Ports).NodePort);
        var loadTester = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "flagger-loadtester");
        Assert.Equal(K3sBackend.LoadTesterImage, loadTester.Spec.Template.Spec.Containers[0].Image);
        Assert.Contains("/stats/prometheus", objects.OfType<V1ConfigMap>().Single().Data["prometheus.yml"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_k3s_traffic_webhook_runs_hey_against_the_canary_service_and_path()
    {
        // The traffic entry is plain text; the backend itself needs Docker, so build only the YAML through a stand-in.
        var yaml = K3sBackend.TrafficWebhookYaml("http://127.0.0.1:1234/", "e2e", "podinfo", "  ", "/status/500");

        Assert.Contains("type: rollout", yaml, StringComparison.Ordinal);
        Assert.Contains("url: http://127.0.0.1:1234/", yaml, StringComparison.Ordinal);
        Assert.Contains("hey -z 1m -q 10 -c 2 http://podinfo-canary.e2e:9898/status/500", yaml, StringComparison.Ordinal);
    }
}
