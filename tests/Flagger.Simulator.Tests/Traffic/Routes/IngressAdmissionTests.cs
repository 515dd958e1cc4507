using k8s;
using k8s.Models;
using static Flagger.Simulator.Tests.Traffic.Routes.IngressRoutes;

namespace Flagger.Simulator.Tests.Traffic.Routes;

/// <summary>Ingresses are validated as the API server validates them (the routers' objects must pass it too).</summary>
public sealed class IngressAdmissionTests(SimFixture fx) : IClassFixture<SimFixture>
{
    [Theory]
    [InlineData("pathType: Prefix", "pathType: Fuzzy", "spec.rules[0].http.paths[0].pathType")]
    [InlineData("pathType: Prefix", "pathType: ''", "spec.rules[0].http.paths[0].pathType")]
    [InlineData("path: /", "path: relative", "spec.rules[0].http.paths[0].path")]
    [InlineData("            name: podinfo", "            name: ''", "spec.rules[0].http.paths[0].backend.service.name")]
    [InlineData("number: 9898", "number: 0", "spec.rules[0].http.paths[0].backend.service.port.number")]
    [InlineData("host: app.example.com", "host: App_Example", "spec.rules[0].host")]
    public async Task Invalid_ingresses_answer_422_naming_the_field(string valid, string invalid, string field)
    {
        var ns = await fx.NamespaceAsync("ing");
        var yaml = Ingress("podinfo", "nginx", new Dictionary<string, string>(), "podinfo").Replace(valid, invalid, StringComparison.Ordinal);

        var (code, status) = await Expect.FailsAsync(() => fx.Client.NetworkingV1.CreateNamespacedIngressAsync(KubernetesYaml.Deserialize<V1Ingress>(yaml), ns));

        Assert.Equal(422, code);
        Assert.Equal(field, (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task An_ingress_without_rules_or_default_backend_is_invalid_and_a_valid_one_is_stored()
    {
        var ns = await fx.NamespaceAsync("ing");
        var (code, status) = await Expect.FailsAsync(() => fx.Client.NetworkingV1.CreateNamespacedIngressAsync(
            new V1Ingress { Metadata = new V1ObjectMeta { Name = "empty" }, Spec = new V1IngressSpec() }, ns));
        Assert.Equal(422, code);
        Assert.Contains("either `defaultBackend` or `rules` must be specified", (string?)status["message"], StringComparison.Ordinal);

        await new TrafficScenario(fx, ns).IngressAsync(Ingress("podinfo", "nginx", new Dictionary<string, string>(), "podinfo"));

        var stored = await fx.Client.NetworkingV1.ReadNamespacedIngressAsync("podinfo", ns);
        Assert.Equal("podinfo", stored.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        Assert.Equal(1, stored.Metadata.Generation);
    }
}
