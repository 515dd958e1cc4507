using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// Scenario 13: an invalid canary (stepWeights not increasing: the CRD schema accepts it, as the API server does) is
/// reported by field and does not stop another canary's release. (A canary without stepWeight, stepWeights or
/// iterations is refused by the CRD's oneOf on a real API server, so it cannot be the invalid example.)
/// </summary>
public sealed class S13_InvalidSpecTests(E2EEnvironment environment)
{
    [Fact]
    public async Task An_invalid_canary_gets_a_field_named_condition_and_warning_while_a_valid_one_promotes()
    {
        var backend = environment.Backend;
        var ns = await TestNamespace.CreateAsync(backend, "e2e-invalid");
        await ns.ApplyAsync(ns.Podinfo("broken"));
        await ns.ApplyAsync(ns.Podinfo("podinfo"));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "broken", """
                threshold: 5
                stepWeights: [10, 30, 20]
            """));
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", """
                threshold: 5
                maxWeight: 20
                stepWeight: 10
            """));

        var broken = await ns.WaitForCanaryAsync("broken", c => c.Status?.Conditions?.Any(x => x.Type == "Validated") == true, "a Validated condition");
        var validated = broken.Status!.Conditions!.Single(c => c.Type == "Validated");
        Assert.Equal("False", validated.Status);
        Assert.Equal("InvalidSpec", validated.Reason);
        Assert.StartsWith("spec.analysis.stepWeights[2]: ", validated.Message, StringComparison.Ordinal);
        var warnings = (await ns.EventsAsync("broken")).Where(e => e.Type == "Warning").Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => m == $"invalid canary spec: {validated.Message}");

        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);
        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        var stillBroken = (await ns.CanaryAsync("broken"))!;
        Assert.Contains(stillBroken.Status!.Conditions!, c => c.Type == "Validated" && c.Status == "False");
        Assert.NotEqual(0, (await ns.DeploymentAsync("broken")).Spec.Replicas);
        Assert.Null(await ns.VirtualServiceAsync("broken"));
        ns.Report("13 invalid spec");
    }
}
