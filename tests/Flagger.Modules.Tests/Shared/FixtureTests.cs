using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.Fixtures;
using k8s;

namespace Flagger.Modules.Tests.Shared;

/// <summary>Every fixture parses, round-trips, passes our CRD schema and the validator; every broken one fails as its header says.</summary>
public sealed class FixtureTests
{
    [Theory]
    [MemberData(nameof(FixtureSet.ValidIds), MemberType = typeof(FixtureSet))]
    public void Valid_fixture_round_trips_through_the_typed_model_without_loss(string id)
    {
        var fixture = FixtureSet.ValidFixtures[id];

        var typed = fixture.ToTyped();
        var roundTripped = JsonNode.Parse(KubernetesJson.Serialize(typed));

        Assert.True(JsonNode.DeepEquals(fixture.Json, roundTripped), $"expected\n{fixture.Json.ToJsonString()}\nactual\n{roundTripped?.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(FixtureSet.ValidIds), MemberType = typeof(FixtureSet))]
    public void Valid_fixture_is_accepted_by_our_crd_schema(string id)
    {
        var errors = CrdSchemas.Repository.Validate(FixtureSet.ValidFixtures[id].Json);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(FixtureSet.ValidIds), MemberType = typeof(FixtureSet))]
    public void Valid_fixture_passes_CanaryValidator(string id)
    {
        var errors = FixtureSet.ValidFixtures[id].Validate();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(FixtureSet.BrokenIds), MemberType = typeof(FixtureSet))]
    public void Broken_fixture_fails_with_the_expected_field_named_messages(string id)
    {
        var fixture = FixtureSet.BrokenFixtures[id];
        var expectedSchema = fixture.ExpectedSchemaErrors.ToList();
        var expectedValidator = fixture.ExpectedValidatorErrors.ToList();
        Assert.True(expectedSchema.Count + expectedValidator.Count > 0, $"{id} states no expected error");

        var schemaErrors = CrdSchemas.Repository.Validate(fixture.Json);
        foreach (var expected in expectedSchema)
        {
            var separator = expected.IndexOf(": ", StringComparison.Ordinal);
            var path = separator < 0 ? expected : expected[..separator];
            var part = separator < 0 ? "" : expected[(separator + 2)..];
            Assert.True(
                schemaErrors.Any(e => e.Path == path && e.Message.Contains(part, StringComparison.Ordinal)),
                $"expected a schema error at {path} containing \"{part}\", got:\n{string.Join("\n", schemaErrors)}");
        }

        if (expectedSchema.Count == 0)
        {
            Assert.True(schemaErrors.Count == 0, $"the schema should accept {id} (only the validator objects), got:\n{string.Join("\n", schemaErrors)}");
        }

        // The validator's messages are what users read: compare them exactly, all of them.
        Assert.Equal(expectedValidator.Order(StringComparer.Ordinal), fixture.Validate().Select(e => e.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Valid_fixtures_cover_every_provider_strategy_target_kind_and_template_type()
    {
        var canaries = FixtureSet.ValidFixtures.Values.Where(f => f.Kind == "Canary").Select(f => (Canary)f.ToTyped()).ToList();
        var templates = FixtureSet.ValidFixtures.Values.Where(f => f.Kind == "MetricTemplate").Select(f => (MetricTemplate)f.ToTyped());
        var alerts = FixtureSet.ValidFixtures.Values.Where(f => f.Kind == "AlertProvider").Select(f => (AlertProvider)f.ToTyped());

        var providers = canaries.Select(c => CanaryDefaults.Resolve(c).Provider).ToHashSet();
        Assert.Empty(new[]
        {
            "istio", "linkerd", "nginx", "contour", "gloo", "traefik", "skipper", "kuma", "apisix", "appmesh", "appmesh:v1beta2",
            "knative", "kubernetes", "gatewayapi:v1", "gatewayapi:v1beta1", "osm", "smi:v1alpha3",
        }.Except(providers));

        var settings = canaries.Select(c => CanaryDefaults.Resolve(c)).ToList();
        Assert.Empty(Enum.GetValues<DeploymentStrategy>().Except(settings.Select(s => s.Strategy)));
        Assert.Contains(settings, s => s.Mirroring && s.Strategy == DeploymentStrategy.BlueGreen);
        Assert.Contains(settings, s => s.Mirroring && s.Strategy == DeploymentStrategy.Canary);
        Assert.Contains(settings, s => s.StepWeights.Count > 0);
        Assert.Contains(canaries, c => c.Spec.Analysis?.SessionAffinity is not null);
        Assert.Contains(canaries, c => c.Spec.Service?.Delegation == true);
        Assert.Contains(canaries, c => c.Spec.AutoscalerRef?.Kind == "HorizontalPodAutoscaler");
        Assert.Empty(KnownValues.TargetKinds.Except(canaries.Select(c => c.Spec.TargetRef!.Kind!)));
        Assert.Empty(KnownValues.WebhookTypes.Where(t => t.Length > 0 && t != "rollout")
            .Except(canaries.SelectMany(c => c.Spec.Analysis?.Webhooks ?? []).Select(w => w.Type ?? "")));
        Assert.Empty(KnownValues.MetricProviderTypes.Except(templates.Select(t => t.Spec.Provider!.Type!)));
        Assert.Empty(KnownValues.AlertProviderTypes.Except(alerts.Select(a => a.Spec.Type!)));
    }

    [Fact]
    public void Broken_fixtures_include_schema_failures_and_validator_only_failures()
    {
        var broken = FixtureSet.BrokenFixtures.Values.ToList();

        Assert.True(broken.Count(f => f.ExpectedSchemaErrors.Any()) >= 5);
        Assert.True(broken.Count(f => !f.ExpectedSchemaErrors.Any()) >= 10);
    }
}
