namespace Flagger.Simulator.Tests.GatewayApi;

/// <summary>Manifests of the Gateway API tests: the CRDs of <c>deploy/dev/gatewayapi-crds.yaml</c>, Gateways, Services and HTTPRoutes.</summary>
internal static class GatewayApiManifests
{
    public static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }

    public static async Task ApplyCrdsAsync(SimFixture fx)
    {
        if (fx.Cluster.Store.FindType("gateway.networking.k8s.io", "v1", "httproutes") is null)
        {
            fx.Cluster.Apply(await File.ReadAllTextAsync(RepoFile("deploy", "dev", "gatewayapi-crds.yaml"), TestContext.Current.CancellationToken));
        }
    }

    public static string Gateway(string ns, string name = "gateway") => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          gatewayClassName: istio
          listeners:
          - name: default
            hostname: "*.example.com"
            port: 80
            protocol: HTTP
            allowedRoutes:
              namespaces:
                from: All
        """;

    public static string Service(string ns, string name) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          selector:
            app: {name}
          ports:
          - name: http
            port: 9898
        """;

    /// <summary>An HTTPRoute with <paramref name="parentRefs"/> and <paramref name="rules"/> given as JSON (YAML flow style).</summary>
    public static string Route(string ns, string name, string parentRefs, string rules, string version = "v1") => $"""
        apiVersion: gateway.networking.k8s.io/{version}
        kind: HTTPRoute
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          parentRefs: {parentRefs}
          hostnames: ["www.example.com"]
          rules: {rules}
        """;

    public const string WeightedRules = """
        [{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
          "backendRefs":[{"name":"podinfo-primary","port":9898,"weight":80},{"name":"podinfo-canary","port":9898,"weight":20}]}]
        """;
}
