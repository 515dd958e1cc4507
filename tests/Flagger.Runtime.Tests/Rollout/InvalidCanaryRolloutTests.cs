using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Runtime.Tests.Rollout;

/// <summary>An invalid canary is reported (condition + Warning event naming the field) and does not hold up the others.</summary>
[Collection(RolloutCollection.Name)]
public sealed class InvalidCanaryRolloutTests
{
    private static Canary Istio(string name, Action<CanaryAnalysis>? tweak = null)
    {
        var analysis = new CanaryAnalysis { Interval = "1s", Threshold = 2, MaxWeight = 20, StepWeight = 10 };
        tweak?.Invoke(analysis);
        return new Canary
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "test" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                ProgressDeadlineSeconds = 60,
                Service = new CanaryService { Port = 9898 },
                Analysis = analysis,
            },
        };
    }

    [Fact]
    public async Task Non_increasing_step_weights_get_a_validated_false_condition_and_a_warning_while_another_canary_promotes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("broken", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateDeploymentAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateCanaryAsync(Istio("broken", a => { a.StepWeight = null; a.StepWeights = [10, 30, 20]; }));
        await fixture.CreateCanaryAsync(Istio("healthy"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Initialized);
        await fixture.SetImageAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Succeeded);

        var broken = (await fixture.GetCanaryAsync("broken"))!;
        var validated = Assert.Single(broken.Status!.Conditions!, c => c.Type == "Validated");
        Assert.Equal("False", validated.Status);
        Assert.Contains("spec.analysis.stepWeights", validated.Message, StringComparison.Ordinal);
        Assert.NotEqual("Initialized", broken.Status.Phase);
        var events = await fixture.Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: ct);
        var warning = Assert.Single(events.Items, e => e.InvolvedObject.Name == "broken" && e.Type == "Warning");
        Assert.Contains("spec.analysis.stepWeights", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await fixture.Client.AppsV1.ListNamespacedDeploymentAsync("test", cancellationToken: ct) is { } list ? list.Items : [], d => d.Metadata.Name == "broken-primary");

        await fixture.PatchCanaryAsync("broken", new { spec = new { analysis = new { stepWeights = new[] { 10, 20, 30 } } } });
        var fixedCanary = await fixture.WaitForPhaseAsync("broken", CanaryPhase.Initialized);
        Assert.DoesNotContain(fixedCanary.Status!.Conditions ?? [], c => c.Type == "Validated");
    }

    [Fact]
    public async Task A_canary_the_model_cannot_read_gets_a_validated_false_condition_and_a_warning_while_another_canary_promotes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("hostile", "ghcr.io/stefanprodan/podinfo:6.0.0");
        await fixture.CreateDeploymentAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.0");

        // Passes the CRD schema (an integer) but not the model (a 32-bit int): before issue 12 it vanished with a log line.
        var hostile = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(Istio("hostile")))!;
        hostile["spec"]!["analysis"]!["threshold"] = 2147483648L;
        await fixture.Client.CustomObjects.CreateNamespacedCustomObjectAsync(hostile, FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, cancellationToken: ct);
        await fixture.CreateCanaryAsync(Istio("healthy"));
        await fixture.StartOperatorAsync();
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Initialized);
        await fixture.SetImageAsync("healthy", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await fixture.WaitForPhaseAsync("healthy", CanaryPhase.Succeeded);

        const string expected = "spec.analysis.threshold: expected an integer between -2147483648 and 2147483647, got 2147483648";
        var raw = (System.Text.Json.JsonElement)await fixture.Client.CustomObjects.GetNamespacedCustomObjectAsync(FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, "hostile", cancellationToken: ct);
        var status = KubernetesJson.Deserialize<CanaryStatus>(raw.GetProperty("status").GetRawText());
        var validated = Assert.Single(status.Conditions!, c => c.Type == "Validated");
        Assert.Equal(("False", expected), (validated.Status, validated.Message));
        Assert.Equal(2147483648L, raw.GetProperty("spec").GetProperty("analysis").GetProperty("threshold").GetInt64());
        var events = await fixture.Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: ct);
        var warning = Assert.Single(events.Items, e => e.InvolvedObject.Name == "hostile" && e.Type == "Warning");
        Assert.Equal($"invalid canary spec: {expected}", warning.Message);
        Assert.DoesNotContain((await fixture.Client.AppsV1.ListNamespacedDeploymentAsync("test", cancellationToken: ct)).Items, d => d.Metadata.Name == "hostile-primary");
    }

    [Fact]
    public async Task A_canary_the_model_cannot_read_is_not_stuck_on_our_finalizer_when_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.CreateDeploymentAsync("hostile", "ghcr.io/stefanprodan/podinfo:6.0.0");

        // A canary with revertOnDeletion got our finalizer, then its spec became unreadable (schema skipped).
        var hostile = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(Istio("hostile")))!;
        hostile["metadata"]!["finalizers"] = new System.Text.Json.Nodes.JsonArray("finalizer.flagger.app");
        hostile["spec"]!["analysis"]!["threshold"] = 2147483648L;
        await fixture.Client.CustomObjects.CreateNamespacedCustomObjectAsync(hostile, FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, cancellationToken: ct);
        await fixture.StartOperatorAsync();

        await fixture.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, "hostile", cancellationToken: ct);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await fixture.Client.CustomObjects.ListNamespacedCustomObjectAsync(FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, cancellationToken: ct)
            is System.Text.Json.JsonElement list && list.GetProperty("items").GetArrayLength() > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
        }

        var left = (System.Text.Json.JsonElement)await fixture.Client.CustomObjects.ListNamespacedCustomObjectAsync(FlaggerApi.Group, FlaggerApi.Version, "test", Canary.KubePlural, cancellationToken: ct);
        Assert.Equal(0, left.GetProperty("items").GetArrayLength());
        var events = await fixture.Client.CoreV1.ListNamespacedEventAsync("test", cancellationToken: ct);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "hostile" && e.Type == "Warning"
            && e.Message.EndsWith("removing the finalizer without reverting the target and routes", StringComparison.Ordinal));
    }
}
