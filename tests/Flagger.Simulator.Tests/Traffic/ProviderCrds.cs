using k8s;

namespace Flagger.Simulator.Tests.Traffic;

/// <summary>Applies a provider's <c>deploy/dev/&lt;provider&gt;-crds.yaml</c> (the published schemas) to a fixture's cluster.</summary>
public static class ProviderCrds
{
    public static async Task ApplyAsync(SimFixture fx, string provider) =>
        fx.Cluster.Apply(await File.ReadAllTextAsync(RepoFile("deploy", "dev", $"{provider}-crds.yaml"), TestContext.Current.CancellationToken));

    /// <summary>Creates a namespaced custom object from JSON (kind, apiVersion and metadata.name included).</summary>
    public static async Task CreateAsync(SimFixture fx, string ns, string plural, string json)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var apiVersion = (string)body["apiVersion"]!;
        var (group, version) = (apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)], apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        await fx.Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, group, version, ns, plural, cancellationToken: TestContext.Current.CancellationToken);
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
