using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flagger.Simulator.Tests;

public sealed class RbacFixture : SimFixture
{
    protected override SimulatorOptions Options => base.Options with { EnforceRbac = true };
}

/// <summary>With <c>EnforceRbac</c>, requests are authorized by the RBAC objects applied to the simulator.</summary>
public sealed class RbacTests(RbacFixture fx) : IClassFixture<RbacFixture>
{
    private Kubernetes ClientWith(string token)
    {
        var config = fx.Cluster.ClientConfiguration();
        config.AccessToken = token;
        return new Kubernetes(config);
    }

    private static async Task<(HttpStatusCode Code, string Message)> StatusOfAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        return (error.Response.StatusCode, status.Message);
    }

    [Fact]
    public async Task A_service_account_may_do_what_its_role_binding_grants_and_gets_the_API_servers_403_otherwise()
    {
        var ns = await fx.NamespaceAsync("rbac");
        var admin = fx.Client;
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "app" } }, ns);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get", "list"] },
                     new V1PolicyRule { ApiGroups = ["apps"], Resources = ["deployments/scale"], Verbs = ["get"], ResourceNames = ["web"] }],
        }, ns);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "app-reader" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "app", NamespaceProperty = ns }],
        }, ns);
        await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, ns);
        await admin.AppsV1.CreateNamespacedDeploymentAsync(Expect.Deployment("web"), ns);

        using var app = ClientWith(fx.Cluster.ServiceAccountToken(ns, "app"));
        Assert.Single((await app.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
        Assert.Equal("settings", (await app.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.Name);
        Assert.Equal("web", (await app.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns)).Metadata.Name);

        var user = $"system:serviceaccount:{ns}:app";
        Assert.Equal((HttpStatusCode.Forbidden, $"configmaps is forbidden: User \"{user}\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{ns}\""),
            await StatusOfAsync(() => app.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, ns)));
        Assert.Equal((HttpStatusCode.Forbidden, $"deployments.apps \"web\" is forbidden: User \"{user}\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\""),
            await StatusOfAsync(() => app.AppsV1.ReadNamespacedDeploymentAsync("web", ns)));
        Assert.Equal(HttpStatusCode.Forbidden, (await StatusOfAsync(() => app.CoreV1.ListNamespacedConfigMapAsync("default"))).Code);
        Assert.Equal((HttpStatusCode.Forbidden, $"namespaces is forbidden: User \"{user}\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"),
            await StatusOfAsync(() => app.CoreV1.ListNamespaceAsync()));

        // A ClusterRoleBinding to one of the service account's groups grants cluster-wide.
        await admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-ns-lister" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["namespaces"], Verbs = ["list"] }],
        });
        await admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-ns-lister" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = $"{ns}-ns-lister" },
            Subjects = [new Rbacv1Subject { Kind = "Group", Name = $"system:serviceaccounts:{ns}", ApiGroup = "rbac.authorization.k8s.io" }],
        });
        Assert.Contains((await app.CoreV1.ListNamespaceAsync()).Items, n => n.Metadata.Name == ns);
    }

    [Fact]
    public async Task Anonymous_requests_reach_only_public_paths_and_a_forged_token_is_401()
    {
        using var http = new HttpClient { BaseAddress = fx.Cluster.Url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/version")).StatusCode);
        var (code, body) = await SendAsync(http, "/api", null);
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/api\"", (string?)System.Text.Json.Nodes.JsonNode.Parse(body)!["message"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/api/v1/namespaces", null)).Code);

        var user = fx.Cluster.UserToken("alice", "devs");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/apis", user)).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/api/v1/namespaces", user)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/api/v1/namespaces", user[..^2] + "00")).Code);
    }

    private static async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpClient http, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
