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
