using System.Text.Json.Nodes;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.Kubernetes;

public sealed class KubernetesNopRouterTests : TrafficRouterContract
{
    protected override string Provider => "kubernetes";

    protected override bool HasRoutingObjects => false;

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube) => new KubernetesNopRouter();

    private protected override Func<JsonNode?>? SeedUserObject(InMemoryKube kube) => null;

    [Theory]
    [InlineData(null, 100, 0)]
    [InlineData(0, 100, 0)]
    [InlineData(1, 0, 100)]
    [InlineData(11, 0, 100)]
    public async Task GetRoutes_reports_all_primary_before_the_first_iteration_and_all_canary_after(int? iterations, int primary, int canaryWeight)
    {
        var canary = Canary(c => c.Status = iterations is null ? null : new CanaryStatus { Iterations = iterations });

        var split = await new KubernetesNopRouter().GetRoutesAsync(canary, Ct);

        Assert.Equal(new TrafficSplit(primary, canaryWeight, false), split);
    }

    [Fact]
    public async Task SetRoutes_reconcile_and_finalize_touch_nothing()
    {
        var router = new KubernetesNopRouter();
        var canary = Canary();

        await router.ReconcileAsync(canary, Ct);
        await router.SetRoutesAsync(canary, new TrafficSplit(0, 100, false), SessionAffinityCookies.None, Ct);
        await router.FinalizeAsync(canary, Ct);

        // The router has no cache or writer to touch; the split it reports still follows only the status.
        Assert.Equal(TrafficSplit.AllPrimary, await router.GetRoutesAsync(canary, Ct));
    }
}
