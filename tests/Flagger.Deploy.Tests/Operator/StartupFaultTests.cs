using Flagger.Modules.Shared.Crd;
using Flagger.Simulator.Control;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>The operator process at startup under API faults injected by the simulator.</summary>
[Collection(OperatorCollection.Name)]
public sealed class StartupFaultTests
{
    [Fact]
    public async Task Three_500s_listing_metrictemplates_are_waited_out_and_the_operator_goes_on_to_initialize_a_canary()
    {
        await using var harness = await OperatorHarness.StartAsync(installCrds: true, "test");
        Assert.Null(harness.Cluster.Faults.Add(new FaultRule { Verb = "list", Resource = "metrictemplates", Status = 500, Count = 3 }));
        using var process = OperatorProcess.Start("operator", [.. harness.TestFlags(), "-mesh-provider=kubernetes"]);
        harness.Apply(OperatorHarness.Deployment("test", "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply("""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: { name: podinfo, namespace: test }
            spec:
              provider: kubernetes
              targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
              service: { port: 9898 }
              analysis: { interval: 1s, threshold: 2, iterations: 2 }
            """);

        await harness.WaitForPhaseAsync("test", "podinfo", CanaryPhase.Initialized, timeoutSeconds: 90);

        Assert.False(process.HasExited, process.Output);
        Assert.DoesNotContain("crit", process.Output, StringComparison.Ordinal);
        Assert.True(harness.Cluster.Requests.Count(verb: "list", resource: "metrictemplates", userAgent: OperatorHarness.UserAgent) >= 4);
    }

    [Theory]
    [InlineData(403, "Cannot list metrictemplates.flagger.app")]
    [InlineData(404, "The metrictemplates.flagger.app CRD is not installed")]
    public async Task A_permanent_error_exits_with_code_1_a_precise_message_and_no_unhandled_exception(int status, string message)
    {
        await using var harness = await OperatorHarness.StartAsync(installCrds: true, "test");
        Assert.Null(harness.Cluster.Faults.Add(new FaultRule { Verb = "list", Resource = "metrictemplates", Status = status }));
        using var process = OperatorProcess.Start("operator", harness.TestFlags());

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains(message, process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", process.Output, StringComparison.Ordinal);
    }
}
