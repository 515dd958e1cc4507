// A test-only routing provider for the catalog's "kuma" row, which production does not implement: it shows that a new
// router is its own folder (object type, router, one registration line) built on the router kit, and nothing else.
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using static Flagger.Modules.Routing.RoutingConventions;

namespace Flagger.Modules.Tests.Routing.FakeKuma;

/// <summary>A made-up route object: the weight of each destination Service.</summary>
[KubernetesEntity(Group = "test.kuma.io", Kind = "FakeTrafficRoute", ApiVersion = "v1", PluralName = "faketrafficroutes")]
public sealed class FakeTrafficRoute() : CustomObject<FakeTrafficRouteSpec>("test.kuma.io/v1", "FakeTrafficRoute");

/// <summary><c>spec</c>: destination Service → weight.</summary>
public sealed class FakeTrafficRouteSpec
{
    [JsonPropertyName("weights")]
    public Dictionary<string, int>? Weights { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The router: one <see cref="FakeTrafficRoute"/> named after the apex Service.</summary>
internal sealed class FakeKumaRouter(RoutingObjectStore store, RouterObjects objects) : ITrafficRouter
{
    /// <summary>Every split SetRoutes was asked for, in order.</summary>
    public List<TrafficSplit> SetRoutesCalls { get; } = [];

    public async Task ReconcileAsync(Canary canary, CancellationToken cancellationToken)
    {
        var (apex, _, _) = ServiceNames(canary);
        var ns = canary.Metadata.NamespaceProperty;
        var existing = store.Get<FakeTrafficRoute>(ns, apex);
        var live = existing is null ? null : Read(canary, existing);
        var desired = new FakeTrafficRouteSpec { Weights = Weights(canary, live ?? TrafficSplit.AllPrimary) };
        await objects.CreateOrUpdateAsync(canary, existing, new DesiredObject<FakeTrafficRouteSpec>(ns, apex, desired, Labels: new Dictionary<string, string>(), Annotations: new Dictionary<string, string>(),
            RememberOriginal: true, SameSpec: (a, b) => Destinations(a).SequenceEqual(Destinations(b))), cancellationToken);
    }

    public async Task SetRoutesAsync(Canary canary, TrafficSplit split, SessionAffinityCookies cookies, CancellationToken cancellationToken)
    {
        var existing = Require(canary);
        SetRoutesCalls.Add(split);
        var clone = Clone(existing);
        clone.Spec.Weights = Weights(canary, split);
        if (!MapEquals(clone.Spec.Weights.ToDictionary(kv => kv.Key, kv => $"{kv.Value}"), existing.Spec.Weights?.ToDictionary(kv => kv.Key, kv => $"{kv.Value}")))
        {
            await store.ReplaceAsync(clone, cancellationToken);
        }
    }

    public Task<TrafficSplit> GetRoutesAsync(Canary canary, CancellationToken cancellationToken) =>
        Task.FromResult(Read(canary, Require(canary)) ?? throw new RoutingException("no weights"));

    public Task FinalizeAsync(Canary canary, CancellationToken cancellationToken) =>
        objects.RestoreOriginalAsync<FakeTrafficRoute, FakeTrafficRouteSpec>(canary.Metadata.NamespaceProperty, ServiceNames(canary).Apex, cancellationToken);

    private FakeTrafficRoute Require(Canary canary) =>
        store.Get<FakeTrafficRoute>(canary.Metadata.NamespaceProperty, ServiceNames(canary).Apex)
            ?? throw new RoutingException("FakeTrafficRoute not found: the routing must be reconciled before traffic is shifted");

    private static IEnumerable<string> Destinations(FakeTrafficRouteSpec spec) =>
        (spec.Weights?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal);

    private static Dictionary<string, int> Weights(Canary canary, TrafficSplit split)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        return new() { [primary] = split.PrimaryWeight, [canaryName] = split.CanaryWeight };
    }

    private static TrafficSplit? Read(Canary canary, FakeTrafficRoute route)
    {
        var (_, primary, canaryName) = ServiceNames(canary);
        return route.Spec.Weights is { } w && w.TryGetValue(primary, out var p) && w.TryGetValue(canaryName, out var c) ? new TrafficSplit(p, c, false) : null;
    }
}

/// <summary>The provider's one registration line (what <c>RoutingModule</c> would call for a production router).</summary>
internal static class FakeKumaRegistration
{
    public static IServiceCollection AddFakeKumaRouter(this IServiceCollection services) =>
        services.AddTrafficRouter<FakeKumaRouter>("kuma").AddWatch<FakeTrafficRoute>();
}
