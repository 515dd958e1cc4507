using System.Text.Json.Nodes;
using Flagger.Modules.Routing;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kit;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing.FakeKuma;

/// <summary>
/// A provider added the way ARCHITECTURE §3 says (its folder, its catalog row, one registration line, its tests): the
/// catalog already knows <c>kuma</c>, so validation accepts it; the registration makes the factory answer it and the
/// cache watch its kind; the router contract holds for it as for the production routers.
/// </summary>
public sealed class FakeKumaRouterTests : TrafficRouterContract
{
    protected override string Provider => "kuma";

    private protected override ITrafficRouter CreateRouter(InMemoryKube kube)
    {
        var store = Store(kube);
        return new FakeKumaRouter(store, new RouterObjects(store, Options.Create(new RoutingOptions())));
    }

    private protected override Func<JsonNode?> SeedUserObject(InMemoryKube kube)
    {
        kube.Seed(new FakeTrafficRoute
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = KubernetesJson.Deserialize<FakeTrafficRouteSpec>("""{"weights":{"podinfo":100},"retries":3}"""),
        });
        return () => Json(kube.Get<FakeTrafficRoute>("test", "podinfo")!.Spec);
    }

    [Fact]
    public void A_canary_with_provider_kuma_passes_validation()
    {
        Assert.Empty(CanaryValidator.Validate(ContractCanary()));
    }

    [Fact]
    public void Production_does_not_implement_kuma_and_says_so()
    {
        var error = Assert.Throws<RoutingException>(() => RoutingHost(null).GetRequiredService<IRoutingFactory>().TrafficRouter(ContractCanary()));

        Assert.StartsWith("provider \"kuma\" is not supported yet; supported providers are istio, knative and kubernetes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_registration_line_makes_the_factory_answer_kuma_and_the_cache_watch_its_kind()
    {
        var services = RoutingHost(null, s => s.AddFakeKumaRouter(), Kube);
        var factory = services.GetRequiredService<IRoutingFactory>();

        var router = Assert.IsType<FakeKumaRouter>(factory.TrafficRouter(ContractCanary()));
        await router.ReconcileAsync(ContractCanary(), Ct);
        await router.SetRoutesAsync(ContractCanary(), new TrafficSplit(80, 20, false), SessionAffinityCookies.None, Ct);

        Assert.Equal([new TrafficSplit(80, 20, false)], router.SetRoutesCalls);
        Assert.Equal(new Dictionary<string, int> { ["podinfo-primary"] = 80, ["podinfo-canary"] = 20 }, Kube.Get<FakeTrafficRoute>("test", "podinfo")!.Spec.Weights);
        Assert.Contains(services.GetServices<WatchRegistration>(), w => w.Kind.ToString() == "faketrafficroutes.test.kuma.io");
        Assert.IsType<Flagger.Modules.Routing.Istio.IstioRouter>(factory.TrafficRouter(ContractCanary(c => c.Spec.Provider = "istio")));
    }
}
