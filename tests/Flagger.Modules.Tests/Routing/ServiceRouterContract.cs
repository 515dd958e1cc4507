using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using k8s.Models;
using static Flagger.Modules.Tests.Routing.RoutingTestKit;

namespace Flagger.Modules.Tests.Routing;

/// <summary>
/// What every <see cref="IServiceRouter"/> promises, run against each by inheriting this class: Initialize and
/// Reconcile are idempotent, and Finalize gives a user's taken-over apex Service back its selector and ports.
/// </summary>
public abstract class ServiceRouterContract
{
    private protected static readonly ServiceTarget Target = new("app", "podinfo");

    private protected InMemoryKube Kube { get; } = new();

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>False for the router of Service targets, whose Services are the Workloads module's copies.</summary>
    protected virtual bool OwnsServices => true;

    /// <summary>The router under test over <see cref="Kube"/>.</summary>
    private protected abstract IServiceRouter CreateRouter(InMemoryKube kube);

    [Fact]
    public async Task Contract_initialize_and_reconcile_twice_write_nothing_the_second_time()
    {
        var router = CreateRouter(Kube);
        await router.InitializeAsync(Canary(), Target, Ct);
        await router.ReconcileAsync(Canary(), Target, Ct);
        var writes = Kube.Writes.Count;

        await router.InitializeAsync(Canary(), Target, Ct);
        await router.ReconcileAsync(Canary(), Target, Ct);

        Assert.Equal(writes, Kube.Writes.Count);
        Assert.Equal(OwnsServices ? 3 : 0, writes);
    }

    [Fact]
    public async Task Contract_finalize_restores_a_taken_over_apex_service()
    {
        Kube.Seed(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = "test" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "podinfo" },
                Ports = [new V1ServicePort { Name = "web", Port = 80, TargetPort = 9898, Protocol = "TCP" }],
            },
        });
        var router = CreateRouter(Kube);

        await router.ReconcileAsync(Canary(), Target, Ct);
        if (OwnsServices)
        {
            Assert.Equal("podinfo-primary", Kube.Get<V1Service>("test", "podinfo")!.Spec.Selector["app"]);
        }

        await router.FinalizeAsync(Canary(), Target, Ct);

        var apex = Kube.Get<V1Service>("test", "podinfo")!;
        AssertJson("""{"app":"podinfo"}""", apex.Spec.Selector);
        AssertJson("""[{"name":"web","port":80,"protocol":"TCP","targetPort":9898}]""", apex.Spec.Ports);
    }
}
