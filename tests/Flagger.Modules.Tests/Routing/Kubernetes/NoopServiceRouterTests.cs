using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Routing.Kubernetes;
using Flagger.Modules.Tests.TestDoubles;

namespace Flagger.Modules.Tests.Routing.Kubernetes;

/// <summary>The Service router of Service targets: the contract holds with nothing written at all.</summary>
public sealed class NoopServiceRouterTests : ServiceRouterContract
{
    protected override bool OwnsServices => false;

    private protected override IServiceRouter CreateRouter(InMemoryKube kube) => new NoopServiceRouter();
}
