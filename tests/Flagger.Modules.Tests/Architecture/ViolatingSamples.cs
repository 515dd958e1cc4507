// Deliberately broken module layout used to prove that ModuleRules reports forbidden references. These types are
// never used at run time; they only give the rule something to catch. Their root namespace mirrors Flagger.Modules.
namespace Flagger.Modules.Tests.Architecture.Samples.Routing.Contracts
{
    public interface ISampleRouter
    {
        Task SetRoutesAsync(int primaryWeight, int canaryWeight, CancellationToken cancellationToken);
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Routing
{
    public sealed class SampleIstioRouter : Contracts.ISampleRouter
    {
        public Task SetRoutesAsync(int primaryWeight, int canaryWeight, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Shared
{
    /// <summary>Allowed: Shared on its own.</summary>
    public sealed record SampleCanarySpec(string Name);

    /// <summary>Forbidden: Shared must not know any module.</summary>
    public sealed class SharedUsingRouting(Routing.SampleIstioRouter router)
    {
        public Routing.SampleIstioRouter Router => router;
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Analysis
{
    /// <summary>Allowed: a leaf module using Shared.</summary>
    public sealed class AnalysisUsingShared(Shared.SampleCanarySpec spec)
    {
        public Shared.SampleCanarySpec Spec => spec;
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Workloads
{
    /// <summary>Forbidden: a leaf module may not use another module, not even its contracts.</summary>
    public sealed class WorkloadsUsingRoutingContracts(Routing.Contracts.ISampleRouter router)
    {
        public Routing.Contracts.ISampleRouter Router => router;
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Rollout
{
    /// <summary>Allowed: Rollout orchestrates through contracts and Shared.</summary>
    public sealed class RolloutUsingContracts(Routing.Contracts.ISampleRouter router, Shared.SampleCanarySpec spec)
    {
        public Routing.Contracts.ISampleRouter Router => router;

        public Shared.SampleCanarySpec Spec => spec;
    }

    /// <summary>Forbidden: Rollout reaching into a module's implementation.</summary>
    public sealed class RolloutUsingRoutingImplementation
    {
        public Task StepAsync(CancellationToken cancellationToken) => new Routing.SampleIstioRouter().SetRoutesAsync(90, 10, cancellationToken);
    }
}

namespace Flagger.Modules.Tests.Architecture.Samples.Routing.Istio
{
    /// <summary>A provider's own type (its router folder).</summary>
    public sealed class SampleVirtualService;
}

namespace Flagger.Modules.Tests.Architecture.Samples.Analysis.Providers
{
    /// <summary>A metric provider.</summary>
    public sealed class SamplePrometheusProvider;
}

namespace Flagger.Modules.Tests.Architecture.Samples.Alerting
{
    /// <summary>A notifier.</summary>
    public sealed class SampleSlackNotifier;

    /// <summary>Not a provider: the module's registration, which the host calls.</summary>
    public static class SampleAlertingModule
    {
        public static int Add() => 0;
    }
}

namespace Flagger.Modules.Tests.Architecture.HostSamples
{
    /// <summary>Allowed: the host wires modules through their registrations and contracts.</summary>
    public sealed class HostWiringModules(Samples.Routing.Contracts.ISampleRouter router)
    {
        public Samples.Routing.Contracts.ISampleRouter Router => router;

        public int Wire() => Samples.Alerting.SampleAlertingModule.Add();
    }

    /// <summary>Forbidden: the host listing a router's kinds itself.</summary>
    public sealed class HostWatchingIstioKinds
    {
        public Type Watched => typeof(Samples.Routing.Istio.SampleVirtualService);
    }

    /// <summary>Forbidden: the host naming a metric provider.</summary>
    public sealed class HostNamingAMetricProvider(Samples.Analysis.Providers.SamplePrometheusProvider provider)
    {
        public Samples.Analysis.Providers.SamplePrometheusProvider Provider => provider;
    }

    /// <summary>Forbidden: the host naming a notifier.</summary>
    public sealed class HostNamingANotifier(Samples.Alerting.SampleSlackNotifier notifier)
    {
        public Samples.Alerting.SampleSlackNotifier Notifier => notifier;
    }
}
