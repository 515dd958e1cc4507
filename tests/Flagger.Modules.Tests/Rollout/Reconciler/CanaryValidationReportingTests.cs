using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using k8s;
using k8s.Models;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Rollout.Reconciler;

/// <summary>Issue 12 items 7 and 8: objects the model cannot read, conflicting canaries and ignored fields are reported on the Canary.</summary>
public sealed class CanaryValidationReportingTests
{
    public static TheoryData<string, string, string> HostileValues => new()
    {
        { "spec.analysis.threshold", "2147483648", "spec.analysis.threshold: expected an integer between -2147483648 and 2147483647, got 2147483648" },
        { "spec.progressDeadlineSeconds", "1e20", "spec.progressDeadlineSeconds: expected an integer between -2147483648 and 2147483647, got 1e20" },
        { "spec.analysis.interval", "5", "spec.analysis.interval: expected a string, got 5" },
        { "spec.analysis.threshold", "\"three\"", "spec.analysis.threshold: expected an integer, got \"three\"" },
        { "spec.analysis.iterations", "1.5", "spec.analysis.iterations: expected an integer, got 1.5" },
        { "spec.service.port", "\"http\"", "spec.service.port: expected an integer, got \"http\"" },
        { "spec.targetRef.kind", "42", "spec.targetRef.kind: expected a string, got 42" },
        { "spec.suspend", "\"yes\"", "spec.suspend: expected a boolean (true or false), got \"yes\"" },
        { "spec", "[]", "spec: expected an object, got an array" },
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task A_canary_the_model_cannot_read_gets_Validated_False_and_a_warning_naming_the_field(string path, string value, string expected)
    {
        using var harness = new ReconcilerHarness();
        harness.Kube.Seed(Deployment());
        var canary = ReconcilerHarness.BlueGreenCanary();
        harness.Kube.SeedUnreadable<Canary>(WithValue(canary, path, value));

        var (created, writes) = await harness.StepAsync(canary);

        var status = KubernetesJson.Deserialize<CanaryStatus>(harness.Kube.GetUnreadable<Canary>(Ns, "podinfo")!.Raw.GetProperty("status").GetRawText());
        var validated = Assert.Single(status.Conditions!, c => c.Type == "Validated");
        Assert.Equal(("False", "InvalidSpec", expected), (validated.Status, validated.Reason, validated.Message));
        var warning = Assert.Single(harness.Events.Recorded);
        Assert.Equal(("podinfo", "Warning", $"invalid canary spec: {expected}"), warning);
        Assert.Equal((0, 0, 0, 1), (created.TargetControllers, created.TrafficRouters, created.ServiceRouters, writes));
        Assert.Null(harness.Kube.Get<V1Deployment>(Ns, "podinfo-primary"));
    }

    [Fact]
    public void Every_hostile_value_is_unreadable_with_its_field_and_reason()
    {
        foreach (var row in HostileValues)
        {
            var (path, value, expected) = row.Data;
            using var doc = System.Text.Json.JsonDocument.Parse(WithValue(ReconcilerHarness.BlueGreenCanary(), path, value));

            Assert.False(KubeApiClient.TryRead<Canary>(doc.RootElement, out _, out var unreadable));
            Assert.Equal(expected, unreadable.ToString());
            Assert.Equal(("default", "podinfo"), (unreadable.Namespace, unreadable.Name));
        }
    }

    [Fact]
    public async Task The_newer_of_two_canaries_on_one_workload_gets_a_conflict_naming_the_older_one()
    {
        using var harness = new ReconcilerHarness();
        harness.Kube.Seed(Deployment());
        SeedConfigs(harness.Kube);
        var older = ReconcilerHarness.BlueGreenCanary();
        older.Metadata.CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var newer = ReconcilerHarness.BlueGreenCanary();
        newer.Metadata.Name = "podinfo-again";
        newer.Metadata.Uid = "canary-uid-2";
        newer.Metadata.CreationTimestamp = older.Metadata.CreationTimestamp.Value.AddMinutes(5);
        harness.Kube.Seed(older);
        harness.Kube.Seed(newer);

        await harness.StepAsync(newer);
        await harness.StepAsync(older);

        var conflict = Assert.Single(harness.Get(newer).Status!.Conditions!, c => c.Type == "Validated");
        Assert.Equal(
            "spec.targetRef: Deployment podinfo is already released by canary podinfo (created earlier); one workload can have only one canary",
            conflict.Message);
        Assert.DoesNotContain(harness.Get(older).Status?.Conditions ?? [], c => c.Type == "Validated");
        Assert.Equal("Initializing", harness.Get(older).Status!.Phase);
    }

    [Fact]
    public async Task Fields_only_another_provider_reads_get_one_warning_event_per_spec_change_and_no_condition()
    {
        using var harness = new ReconcilerHarness();
        harness.Kube.Seed(Deployment());
        SeedConfigs(harness.Kube);
        var canary = ReconcilerHarness.BlueGreenCanary(s => s.IngressRef = new LocalObjectReference { ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Name = "podinfo" });
        harness.Kube.Seed(canary);

        await harness.StepAsync(canary);
        harness.MarkDeploymentsReady();
        await harness.StepAsync(canary);

        var warning = Assert.Single(harness.Events.Recorded, e => e.Type == "Warning" && e.Message.StartsWith("ignored", StringComparison.Ordinal));
        Assert.Equal("ignored canary settings: spec.ingressRef: ignored by provider kubernetes (only nginx, skipper read it)", warning.Message);
        Assert.DoesNotContain(harness.Get(canary).Status!.Conditions ?? [], c => c.Type == "Validated");
    }

    private static string WithValue(Canary canary, string path, string value)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(canary))!.AsObject();
        node["metadata"]!.AsObject().Remove("resourceVersion");
        var segments = path.Split('.');
        var parent = node;
        foreach (var segment in segments[..^1])
        {
            parent = parent[segment] as JsonObject ?? (JsonObject)(parent[segment] = new JsonObject());
        }

        parent[segments[^1]] = JsonNode.Parse(value);
        return node.ToJsonString();
    }
}
