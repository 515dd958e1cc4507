using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Architecture;

public sealed class ModuleBoundaryTests
{
    [Fact]
    public void Flagger_modules_respect_the_module_dependency_rules()
    {
        var assembly = typeof(Canary).Assembly;

        var violations = ModuleRules.Violations(assembly, "Flagger.Modules");

        Assert.True(violations.Count == 0, "module boundary violations (ARCHITECTURE §3):\n" + string.Join("\n", violations));
        Assert.True(ModuleRules.TypeCount(assembly, "Flagger.Modules", ModuleRules.Shared) > 0, "the rule must see the Shared module's types");
    }

    [Fact]
    public void The_same_rule_reports_every_forbidden_reference_in_a_deliberately_broken_layout()
    {
        var violations = ModuleRules.Violations(typeof(ModuleBoundaryTests).Assembly, "Flagger.Modules.Tests.Architecture.Samples");

        Assert.Equal(
            [
                "Shared depends on no module: Flagger.Modules.Tests.Architecture.Samples.Shared.SharedUsingRouting",
                "Workloads depends only on Shared: Flagger.Modules.Tests.Architecture.Samples.Workloads.WorkloadsUsingRoutingContracts",
                "Rollout depends only on Shared and other modules' Contracts: Flagger.Modules.Tests.Architecture.Samples.Rollout.RolloutUsingRoutingImplementation",
            ],
            violations);
    }

    [Fact]
    public void The_runtime_names_no_provider_type()
    {
        var violations = ModuleRules.HostViolations(typeof(Flagger.Runtime.FlaggerHost).Assembly, "Flagger.Runtime", typeof(Canary).Assembly, "Flagger.Modules");

        Assert.True(violations.Count == 0, "the host must leave providers to their modules (ARCHITECTURE §3):\n" + string.Join("\n", violations));
        Assert.Contains(ModuleRules.ProviderTypes(typeof(Canary).Assembly, "Flagger.Modules"), t => t.Name == "VirtualService");
        Assert.Contains(ModuleRules.ProviderTypes(typeof(Canary).Assembly, "Flagger.Modules"), t => t.Name == "SlackNotifier");
        Assert.DoesNotContain(ModuleRules.ProviderTypes(typeof(Canary).Assembly, "Flagger.Modules"), t => t.Name == "RoutingModule");
    }

    [Fact]
    public void The_host_rule_reports_every_provider_type_a_deliberately_broken_host_names()
    {
        var samples = typeof(ModuleBoundaryTests).Assembly;

        var violations = ModuleRules.HostViolations(samples, "Flagger.Modules.Tests.Architecture.HostSamples", samples, "Flagger.Modules.Tests.Architecture.Samples");

        Assert.Equal(
            [
                "the host names no provider type: Flagger.Modules.Tests.Architecture.HostSamples.HostNamingAMetricProvider",
                "the host names no provider type: Flagger.Modules.Tests.Architecture.HostSamples.HostNamingANotifier",
                "the host names no provider type: Flagger.Modules.Tests.Architecture.HostSamples.HostWatchingIstioKinds",
            ],
            violations);
    }
}
