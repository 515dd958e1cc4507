using System.Net;

namespace Flagger.Simulator.Tests;

/// <summary>Malformed objects of every shape get a 4xx Status, never a 500.</summary>
public sealed class BadInputTests(SimFixture fx) : IClassFixture<SimFixture>
{
    private const string Meta = "\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"}";

    [Theory]
    [InlineData("deployments", "{" + Meta + ",\"spec\":5}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":5}}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[5]}}}}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[7]}]}}}}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":{\"matchLabels\":5},\"template\":{\"metadata\":{\"labels\":[1]}}}}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":7,\"image\":\"i\"}]}}}}")]
    [InlineData("deployments", "{" + Meta + ",\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":[]}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}")]
    [InlineData("services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[\"x\"]}}")]
    [InlineData("services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":\"80\"}]}}")]
    [InlineData("services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"clusterIP\":5,\"ports\":[{\"port\":80}]}}")]
    [InlineData("services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"type\":[],\"ports\":[{\"port\":80}]}}")]
    [InlineData("secrets", "{\"metadata\":{\"name\":\"s\"},\"data\":{\"k\":5}}")]
    [InlineData("secrets", "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"k\":5}}")]
    [InlineData("secrets", "{\"metadata\":{\"name\":\"s\"},\"stringData\":7}")]
    [InlineData("configmaps", "{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":5}}")]
    [InlineData("configmaps", "{\"metadata\":5}")]
    [InlineData("configmaps", "{\"metadata\":{\"name\":\"c\",\"deletionTimestamp\":5}}")]
    [InlineData("horizontalpodautoscalers", "{\"metadata\":{\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":5,\"maxReplicas\":1}}")]
    [InlineData("customresourcedefinitions", "{\"metadata\":{\"name\":\"x.y.z\"},\"spec\":{\"group\":5}}")]
    [InlineData("customresourcedefinitions", "{\"metadata\":{\"name\":\"xs.y.io\"},\"spec\":{\"group\":\"y.io\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"xs\",\"kind\":\"X\"},\"versions\":[5]}}")]
    [InlineData("customresourcedefinitions", "{\"metadata\":{\"name\":\"xs.y.io\"},\"spec\":{\"group\":\"y.io\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"xs\",\"kind\":\"X\"},\"versions\":[{\"name\":5,\"served\":true,\"storage\":true}]}}")]
    public async Task Malformed_objects_answer_4xx(string resource, string body)
    {
        var ns = await fx.NamespaceAsync("bad");
        var path = resource switch
        {
            "deployments" => $"/apis/apps/v1/namespaces/{ns}/deployments",
            "horizontalpodautoscalers" => $"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
            "customresourcedefinitions" => "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            _ => $"/api/v1/namespaces/{ns}/{resource}",
        };
        var (code, status) = await fx.SendAsync(HttpMethod.Post, path, body);
        Assert.True((int)code is >= 400 and < 500, $"{(int)code}: {status}");
        Assert.Equal("Status", (string?)status!["kind"]);
    }

    [Fact]
    public async Task Malformed_patches_answer_4xx()
    {
        var ns = await fx.NamespaceAsync("bad");
        await fx.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", "{\"metadata\":{\"name\":\"c\"}}");
        foreach (var (type, patch) in new[]
        {
            ("application/json-patch+json", "[{\"op\":\"add\",\"path\":\"metadata/x\",\"value\":1}]"),
            ("application/json-patch+json", "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a\":1}}]"),
            ("application/json-patch+json", "[5]"),
            ("application/json-patch+json", "{\"op\":\"add\"}"),
            ("application/merge-patch+json", "[1]"),
            ("application/merge-patch+json", "{\"metadata\":{\"name\":\"other\"}}"),
            ("application/strategic-merge-patch+json", "{\"metadata\":{\"finalizers\":5}}"),
            ("application/strategic-merge-patch+json", "{\"data\":{\"$patch\":\"delete\"},\"metadata\":{\"$setElementOrder/finalizers\":5}}"),
            ("application/apply-patch+yaml", "- a\n- b\n"),
            ("application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1]\n"),
        })
        {
            var (code, status) = await fx.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/c?fieldManager=t", patch, type);
            Assert.True((int)code is >= 400 and < 500, $"{type} {patch} -> {(int)code}: {status}");
        }
    }
}
