using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Providers;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing;

/// <summary>
/// What every <see cref="ITrafficRouter"/> promises (ARCHITECTURE §3), run against each router by inheriting this class:
/// Reconcile is idempotent and keeps the live split; SetRoutes→GetRoutes round-trips every strategy the provider's
/// <see cref="ProviderCatalog"/> row supports (the others are reported as skipped, with the reason); a router with
/// routing objects refuses SetRoutes before Reconcile; Finalize gives a taken-over user object its spec back.
/// </summary>
public abstract class TrafficRouterContract
{
    private protected InMemoryKube Kube { get; } = new();

    /// <summary>The <c>spec.provider</c> (catalog name) the router is registered under.</summary>
    protected abstract string Provider { get; }

    /// <summary>False for routers that own no objects (traffic moves with the Services, e.g. <c>kubernetes</c>).</summary>
    protected virtual bool HasRoutingObjects => true;

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RoutingProviderCapabilities Row =>
        ProviderCatalog.Find(Provider) ?? throw new InvalidOperationException($"{Provider} is not a catalog row");

    /// <summary>Sets the fields the provider's catalog row requires (e.g. App Mesh's <c>spec.service.meshName</c>) on the base canary.</summary>
    protected virtual void RequiredFields(Canary canary)
    {
    }

    /// <summary>The router under test over <see cref="Kube"/>.</summary>
    private protected abstract ITrafficRouter CreateRouter(InMemoryKube kube);

    /// <summary>
    /// Seeds the object the router would take over for the base canary, as a user made it (no owner), and returns a
    /// reader of its current spec; null when the router owns no objects.
    /// </summary>
    private protected abstract Func<JsonNode?>? SeedUserObject(InMemoryKube kube);

    /// <summary>The base canary, for <see cref="Provider"/>.</summary>
    protected Canary ContractCanary(Action<Canary>? configure = null) => Canary(c =>
    {
        c.Spec.Provider = Provider;
        RequiredFields(c);
        configure?.Invoke(c);
    });

    [Fact]
    public async Task Contract_reconcile_twice_writes_nothing_the_second_time_and_keeps_the_live_split()
    {
        var router = CreateRouter(Kube);
        var canary = ContractCanary();
        await router.ReconcileAsync(canary, Ct);
        var split = Row.ProgressiveTraffic ? new TrafficSplit(90, 10, false) : TrafficSplit.AllPrimary;
        await router.SetRoutesAsync(canary, split, SessionAffinityCookies.None, Ct);
        var writes = Kube.Writes.Count;

        await router.ReconcileAsync(canary, Ct);

        Assert.Equal(writes, Kube.Writes.Count);
        Assert.Equal(split, await router.GetRoutesAsync(canary, Ct));
    }

    [Theory]
    [InlineData(90, 10)]
    [InlineData(50, 50)]
    [InlineData(100, 0)]
    public async Task Contract_canary_weights_round_trip(int primary, int canaryWeight)
    {
        Assert.SkipUnless(Row.ProgressiveTraffic, $"{Provider} does not shift traffic progressively (catalog)");

        await AssertRoundTripAsync(ContractCanary(), new TrafficSplit(primary, canaryWeight, false));
    }

    [Fact]
    public async Task Contract_blue_green_round_trips_all_primary_then_all_canary()
    {
        var canary = ContractCanary(c => c.Spec.Analysis!.Iterations = 5);
        await AssertRoundTripAsync(canary, TrafficSplit.AllPrimary);

        canary.Status = new CanaryStatus { Iterations = 1 };
        await AssertRoundTripAsync(canary, TrafficSplit.AllCanary);
    }

    [Fact]
    public async Task Contract_ab_testing_on_headers_round_trips()
    {
        Assert.SkipUnless(Row.HeaderMatching, $"{Provider} has no A/B header matching (catalog)");
        var canary = ContractCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Match = [new HttpMatchRequest { Headers = new() { ["x-canary"] = new StringMatch { Exact = "insider" } } }];
        });

        await AssertRoundTripAsync(canary, TrafficSplit.AllCanary);
    }

    [Fact]
    public async Task Contract_mirroring_round_trips()
    {
        Assert.SkipWhen(Row.Mirroring == MirroringSupport.None, $"{Provider} cannot mirror traffic (catalog)");
        var canary = ContractCanary(c =>
        {
            c.Spec.Analysis!.Iterations = 5;
            c.Spec.Analysis.Mirror = true;
        });

        await AssertRoundTripAsync(canary, new TrafficSplit(100, 0, Mirrored: true));
    }

    [Fact]
    public async Task Contract_session_affinity_round_trips_with_the_decided_cookies()
    {
        Assert.SkipUnless(Row.SessionAffinity, $"{Provider} has no session affinity (catalog)");
        var affinity = new SessionAffinity { CookieName = "flagger-cookie" };
        var canary = ContractCanary(c => c.Spec.Analysis!.SessionAffinity = affinity);
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(canary, Ct);

        var cookies = SessionAffinityCookies.ForStep(affinity, SessionAffinityCookies.None, 10, () => "abcdefghij");
        await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), cookies, Ct);

        Assert.Equal(new TrafficSplit(90, 10, false), await router.GetRoutesAsync(canary, Ct));
    }

    [Fact]
    public async Task Contract_set_routes_before_reconcile_is_a_routing_exception()
    {
        var router = CreateRouter(Kube);

        if (HasRoutingObjects)
        {
            await Assert.ThrowsAsync<RoutingException>(() => router.SetRoutesAsync(ContractCanary(), new TrafficSplit(90, 10, false), SessionAffinityCookies.None, Ct));
        }
        else
        {
            await router.SetRoutesAsync(ContractCanary(), TrafficSplit.AllCanary, SessionAffinityCookies.None, Ct);
        }

        Assert.Empty(Kube.Writes);
    }

    [Fact]
    public async Task Contract_finalize_restores_a_taken_over_user_object()
    {
        var readUserSpec = SeedUserObject(Kube);
        var router = CreateRouter(Kube);
        var canary = ContractCanary();
        var userSpec = readUserSpec?.Invoke();

        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, Row.ProgressiveTraffic ? new TrafficSplit(90, 10, false) : TrafficSplit.AllPrimary, SessionAffinityCookies.None, Ct);
        if (readUserSpec is not null)
        {
            Assert.False(JsonNode.DeepEquals(userSpec, readUserSpec()), "reconcile should have taken the user's object over");
        }

        await router.FinalizeAsync(canary, Ct);

        if (readUserSpec is null)
        {
            Assert.Empty(Kube.Writes);
            return;
        }

        Assert.True(JsonNode.DeepEquals(userSpec, readUserSpec()), $"expected the user's spec back:\n{userSpec}\nactual:\n{readUserSpec()}");
    }

    private async Task AssertRoundTripAsync(Canary canary, TrafficSplit split)
    {
        var router = CreateRouter(Kube);
        await router.ReconcileAsync(canary, Ct);

        await router.SetRoutesAsync(canary, split, SessionAffinityCookies.None, Ct);

        Assert.Equal(split, await router.GetRoutesAsync(canary, Ct));
    }

    /// <summary>The JSON of <paramref name="value"/> as the API server would store it.</summary>
    private protected static JsonNode? Json(object? value) => value is null ? null : JsonNode.Parse(KubernetesJson.Serialize(value));
}
