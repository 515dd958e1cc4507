using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Istio;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flagger.Modules.Tests.Routing;

/// <summary>Canary fixtures and JSON assertions shared by the routing tests.</summary>
internal static class RoutingTestKit
{
    public const string BaseCanary = """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: test
          uid: 6b1c5c9e-0000-4000-8000-000000000001
        spec:
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          service:
            port: 9898
          analysis:
            interval: 1m
            threshold: 5
            maxWeight: 50
            stepWeight: 10
        """;

    public const string OwnerRefJson = """
        [{"apiVersion":"flagger.app/v1beta1","kind":"Canary","name":"podinfo","uid":"6b1c5c9e-0000-4000-8000-000000000001","blockOwnerDeletion":true,"controller":true}]
        """;

    /// <summary>The base canary with <paramref name="configure"/> applied.</summary>
    public static Canary Canary(Action<Canary>? configure = null)
    {
        var canary = KubernetesYaml.Deserialize<Canary>(BaseCanary);
        configure?.Invoke(canary);
        return canary;
    }

    public static Canary CanaryFromYaml(string yaml) => KubernetesYaml.Deserialize<Canary>(yaml);

    public static KubernetesServiceRouter ServiceRouter(InMemoryKube kube) =>
        new(new RoutingObjectStore(kube, kube, TimeProvider.System), NullLogger<KubernetesServiceRouter>.Instance);

    public static IstioRouter IstioRouter(InMemoryKube kube, bool ownerRefs = true) =>
        IstioRouter(Store(kube), ownerRefs);

    /// <summary>An Istio router whose writes and reads share <paramref name="store"/> (read-your-writes).</summary>
    public static IstioRouter IstioRouter(RoutingObjectStore store, bool ownerRefs = true) =>
        new(store, new RouterObjects(store, Options.Create(new RoutingOptions { SetOwnerReferences = ownerRefs })), NullLogger<IstioRouter>.Instance);

    public static RoutingObjectStore Store(InMemoryKube kube) => new(kube, kube, TimeProvider.System);

    /// <summary>
    /// The routing module as the runtime wires it (<see cref="RoutingModule.AddRoutingModule"/>) over an in-memory
    /// cluster, with <paramref name="more"/> registrations (e.g. a test-only router) added after the module's.
    /// </summary>
    public static IServiceProvider RoutingHost(string? meshProvider, Action<IServiceCollection>? more = null, InMemoryKube? kube = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        kube ??= new InMemoryKube();
        builder.Services.AddSingleton<IKubeCache>(kube);
        builder.Services.AddSingleton<IKubeWriter>(kube);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddLogging();
        builder.AddRoutingModule(o => o.MeshProvider = meshProvider ?? "istio");
        more?.Invoke(builder.Services);
        return builder.Build().Services;
    }

    /// <summary>Asserts that <paramref name="actual"/> serializes to exactly the JSON <paramref name="expected"/>.</summary>
    public static void AssertJson(string expected, object? actual)
    {
        var actualNode = actual is null ? null : JsonNode.Parse(KubernetesJson.Serialize(actual));
        var expectedNode = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(expectedNode, actualNode),
            $"expected:\n{expectedNode?.ToJsonString()}\nactual:\n{actualNode?.ToJsonString()}");
    }
}
