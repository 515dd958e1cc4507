using k8s;
using k8s.Models;
using Flagger.Simulator.Control;

namespace Flagger.Simulator.Tests;

/// <summary>Request accounting with RBAC attributes, and the install kinds (ServiceAccount, RBAC, PodDisruptionBudget).</summary>
public sealed class RequestAttributesTests(SimFixture fx) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task Each_request_is_recorded_with_verb_group_resource_subresource_namespace_name_and_user_agent()
    {
        var ns = await fx.NamespaceAsync("attr");
        var config = fx.Cluster.ClientConfiguration();
        config.UserAgent = $"attr-client-{ns}";
        using var client = new Kubernetes(config);

        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock" } }, ns, cancellationToken: TestContext.Current.CancellationToken);
        await client.CoordinationV1.ReadNamespacedLeaseAsync("lock", ns, cancellationToken: TestContext.Current.CancellationToken);
        await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: TestContext.Current.CancellationToken);
        await client.Version.GetCodeAsync(TestContext.Current.CancellationToken);

        var seen = fx.Cluster.Requests.Requests(config.UserAgent);
        Assert.Equal(1, seen[new ApiRequest("create", "coordination.k8s.io", "leases", "", ns, "", config.UserAgent)]);
        Assert.Equal(1, seen[new ApiRequest("get", "coordination.k8s.io", "leases", "", ns, "lock", config.UserAgent)]);
        Assert.Equal(1, seen[new ApiRequest("list", "apps", "deployments", "", "", "", config.UserAgent)]);
        Assert.Equal(1, seen[new ApiRequest("get", "", "", "", "", "", config.UserAgent, "/version")]);
        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public async Task Service_accounts_rbac_objects_and_pod_disruption_budgets_are_served()
    {
        var ns = await fx.NamespaceAsync("install");

        var applied = fx.Cluster.Apply($$"""
            apiVersion: v1
            kind: ServiceAccount
            metadata: { name: flagger, namespace: {{ns}} }
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: { name: flagger-{{ns}} }
            rules:
              - apiGroups: [""]
                resources: ["events"]
                verbs: ["create"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: { name: flagger, namespace: {{ns}} }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: flagger-{{ns}} }
            subjects: [{ kind: ServiceAccount, name: flagger, namespace: {{ns}} }]
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: { name: flagger, namespace: {{ns}} }
            spec: { minAvailable: 1, selector: { matchLabels: { app: flagger } } }
            """);

        Assert.Equal(["serviceaccount/flagger", $"clusterrole/flagger-{ns}", "rolebinding/flagger", "poddisruptionbudget/flagger"], applied);
        var role = await fx.Client.RbacAuthorizationV1.ReadClusterRoleAsync($"flagger-{ns}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("events", role.Rules[0].Resources[0]);
        var pdb = await fx.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("flagger", ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        Assert.Single((await fx.Client.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: TestContext.Current.CancellationToken)).Items);
    }
}
