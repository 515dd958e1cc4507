using k8s;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>The SMI and Kuma routing objects of a canary <c>podinfo</c>, applied with the repository's dev CRDs.</summary>
public static class MeshScenario
{
    public static void InstallCrds(SimFixture fx)
    {
        fx.Cluster.Apply(File.ReadAllText(RepoFile("deploy", "dev", "smi-crds.yaml")));
        fx.Cluster.Apply(File.ReadAllText(RepoFile("deploy", "dev", "kuma-crds.yaml")));
    }

    /// <summary>A TrafficSplit <c>podinfo</c> of <paramref name="version"/> with <paramref name="backends"/> (JSON).</summary>
    public static async Task TrafficSplitAsync(SimFixture fx, string ns, string version, string service, string backends, string name = "podinfo")
    {
        var ts = new JsonObject
        {
            ["apiVersion"] = $"split.smi-spec.io/{version}",
            ["kind"] = "TrafficSplit",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["service"] = service, ["backends"] = JsonNode.Parse(backends) },
        };
        await fx.Client.CustomObjects.CreateNamespacedCustomObjectAsync(ts, "split.smi-spec.io", version, ns, "trafficsplits");
    }

    /// <summary>A cluster-scoped TrafficRoute as the Kuma router writes it for Service <c>podinfo</c> of <paramref name="ns"/>.</summary>
    public static async Task TrafficRouteAsync(SimFixture fx, string ns, int primaryWeight, int canaryWeight, string? name = null)
    {
        var tr = JsonNode.Parse("""
            {"apiVersion":"kuma.io/v1alpha1","kind":"TrafficRoute","mesh":"default","metadata":{"name":"NAME"},
             "spec":{"sources":[{"match":{"kuma.io/service":"*"}}],"destinations":[{"match":{"kuma.io/service":"podinfo_NS_svc_9898"}}],
                     "conf":{"split":[{"weight":PW,"destination":{"kuma.io/service":"podinfo-primary_NS_svc_9898"}},
                                      {"weight":CW,"destination":{"kuma.io/service":"podinfo-canary_NS_svc_9898"}}]}}}
            """.Replace("NAME", name ?? ns + "-podinfo", StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal)
            .Replace("PW", $"{primaryWeight}", StringComparison.Ordinal).Replace("CW", $"{canaryWeight}", StringComparison.Ordinal))!;
        await fx.Client.CustomObjects.CreateClusterCustomObjectAsync(tr, "kuma.io", "v1alpha1", "trafficroutes");
    }

    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }
}
