using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

public sealed class DiscoveryTests(SimFixture fx) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task Version_and_group_discovery_list_builtin_and_newly_installed_kinds()
    {
        var version = await fx.Client.Version.GetCodeAsync();
        Assert.Equal("1", version.Major);

        var core = await fx.SendAsync(HttpMethod.Get, "/api/v1");
        var coreNames = core.Body!["resources"]!.AsArray().Select(r => (string?)r!["name"]).ToList();
        Assert.Contains("configmaps", coreNames);
        Assert.Contains("namespaces/status", coreNames);

        var apps = await fx.SendAsync(HttpMethod.Get, "/apis/apps/v1");
        var scale = apps.Body!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "deployments/scale")!;
        Assert.Equal("Scale", (string?)scale["kind"]);

        await fx.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(TestCrds.Widget("sim.disco.io").ToJsonString()));
        var groups = await fx.SendAsync(HttpMethod.Get, "/apis");
        var group = groups.Body!["groups"]!.AsArray().Single(g => (string?)g!["name"] == "sim.disco.io")!;
        Assert.Equal("sim.disco.io/v1beta1", (string?)group["preferredVersion"]!["groupVersion"]);
        Assert.Equal(2, group["versions"]!.AsArray().Count);

        var resources = await fx.SendAsync(HttpMethod.Get, "/apis/sim.disco.io/v1beta1");
        var widget = resources.Body!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "widgets")!;
        Assert.True((bool?)widget["namespaced"]);
        Assert.Equal("wd", (string?)widget["shortNames"]![0]);
        Assert.Contains(resources.Body["resources"]!.AsArray(), r => (string?)r!["name"] == "widgets/status");

        var crd = await fx.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.sim.disco.io");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");

        var openapi = await fx.SendAsync(HttpMethod.Get, "/openapi/v3");
        Assert.NotNull(openapi.Body!["paths"]!["apis/sim.disco.io/v1beta1"]);
        var doc = await fx.SendAsync(HttpMethod.Get, "/openapi/v3/apis/sim.disco.io/v1beta1");
        Assert.NotNull(doc.Body!["components"]!["schemas"]!["io.disco.sim.v1beta1.Widget"]);

        var (missing, _) = await fx.SendAsync(HttpMethod.Get, "/apis/sim.nothing.io/v1");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_401()
    {
        using var http = new HttpClient { BaseAddress = fx.Cluster.Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        using var response = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]);
    }

    [Theory]
    [InlineData("{\"metadata\":{\"name\":5}}", "metadata.name")]
    [InlineData("{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":1}}}", "metadata.labels[a]")]
    [InlineData("{\"metadata\":{\"name\":\"x\",\"finalizers\":\"f\"}}", "metadata.finalizers")]
    [InlineData("{\"metadata\":{\"name\":\"x\",\"ownerReferences\":[{\"name\":\"o\"}]}}", "metadata.ownerReferences[0]")]
    [InlineData("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"replicas\":\"two\",\"selector\":{\"matchLabels\":{\"a\":\"b\"}}}}", "spec.replicas")]
    [InlineData("{\"metadata\":{\"name\":\"x\",\"name\":\"y\"}}", "duplicate")]
    [InlineData("{\"metadata\":{\"name\":\"Not_Valid\"},\"spec\":{}}", "metadata.name")]
    public async Task Wrongly_typed_input_is_a_4xx_naming_the_field_never_a_500(string body, string field)
    {
        var ns = await fx.NamespaceAsync("bad");
        var (code, status) = await fx.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", body);
        Assert.True(code is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)code}: {status}");
        Assert.Contains(field, (string?)status!["message"], StringComparison.OrdinalIgnoreCase);
    }
}
