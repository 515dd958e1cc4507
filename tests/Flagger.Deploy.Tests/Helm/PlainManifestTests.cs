namespace Flagger.Deploy.Tests.Helm;

public sealed class PlainManifestTests
{
    [Fact]
    public async Task The_committed_plain_manifests_match_a_fresh_render_of_the_chart()
    {
        await HelmTool.RequireAsync();

        var check = await HelmTool.RunProcessAsync("bash", [RepoRoot.Combine("eng", "render-manifests.sh"), "--check"], TimeSpan.FromMinutes(2));

        Assert.True(check.ExitCode == 0, $"deploy/kubernetes/flagger.yaml is stale; run eng/render-manifests.sh\n{check.Stderr}");
    }

    [Fact]
    public void The_plain_manifests_hold_the_namespace_rbac_and_deployment_with_secure_defaults()
    {
        var manifests = Manifests.Parse(File.ReadAllText(RepoRoot.Combine("deploy", "kubernetes", "flagger.yaml")));

        Assert.Equal("flagger-system", (string?)manifests.Single("Namespace")["metadata"]!["name"]);
        Assert.Equal("restricted", (string?)manifests.Single("Namespace")["metadata"]!["labels"]!["pod-security.kubernetes.io/enforce"]);
        Assert.Single(manifests.OfKind("ServiceAccount"));
        Assert.Single(manifests.OfKind("ClusterRole"));
        Assert.Single(manifests.OfKind("ClusterRoleBinding"));
        Assert.Equal("flagger-system", (string?)manifests.Single("Deployment")["metadata"]!["namespace"]);
        Assert.Equal("true", (string?)manifests.Container["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.Contains("-metrics-server=http://prometheus:9090", manifests.Args);
    }
}
