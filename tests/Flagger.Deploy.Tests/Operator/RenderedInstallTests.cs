using System.Text.Json.Nodes;
using Flagger.Deploy.Tests.Helm;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// The install path end to end, minus the container: <c>helm template</c> of charts/flagger with upstream-style values
/// is applied to the simulator with kubectl, then the operator is started in-process from the rendered Deployment's
/// container args and env, and promotes a canary.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class RenderedInstallTests
{
    private const string ReleaseNamespace = "flagger-system";
    private const string Watched = "apps"; // upstream-style.yaml: namespace: apps

    [Fact]
    public async Task The_chart_rendered_with_upstream_style_values_applies_cleanly_and_its_deployment_args_promote_a_canary()
    {
        using var slack = new LocalServer();
        using var teams = new LocalServer();
        using var events = new LocalServer();
        // upstream-style.yaml as a user wrote it; only the outbound endpoints point at local receivers (tests stay on
        // loopback) and the proxies are dropped (a proxy at proxy.corp.example does not exist here).
        var render = await HelmTool.RunAsync("template", "flagger", RepoRoot.Combine("charts", "flagger"), "--namespace", ReleaseNamespace,
            "--include-crds", "-f", HelmTool.ValuesFile("upstream-style.yaml"),
            "--set", $"slack.url={slack.Url}", "--set", "slack.proxyUrl=", "--set", "slack.proxy=",
            "--set", $"msteams.url={teams.Url}", "--set", "msteams.proxyUrl=", "--set", $"eventWebhook={events.Url}");
        Assert.True(render.ExitCode == 0, render.Stderr);
        var rendered = Manifests.Parse(render.Stdout);
        await using var harness = await OperatorHarness.StartAsync(installCrds: false);
        var manifest = Path.Combine(Path.GetTempPath(), $"flagger-rendered-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(manifest, render.Stdout, TestContext.Current.CancellationToken);
        try
        {
            var prerequisites = await KubectlTool.RunAsync(harness.Cluster.KubeconfigPath, "apply",
                "-f", Path.Combine(AppContext.BaseDirectory, "clusters", "prerequisites.yaml"), "-f", RepoRoot.Combine("deploy", "dev", "istio-crds.yaml"));
            Assert.True(prerequisites.ExitCode == 0, prerequisites.Stderr);

            var apply = await KubectlTool.RunAsync(harness.Cluster.KubeconfigPath, "apply", "-f", manifest);
            var again = await KubectlTool.RunAsync(harness.Cluster.KubeconfigPath, "apply", "-f", manifest);

            Assert.True(apply.ExitCode == 0, $"kubectl apply failed ({apply.ExitCode}):\n{apply.Stderr}\n{apply.Stdout}");
            Assert.Equal("", apply.Stderr.Trim());
            var applied = apply.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(rendered.Objects.Count, applied.Length);
            Assert.All(applied, line => Assert.EndsWith(" created", line, StringComparison.Ordinal));
            Assert.True(again.ExitCode == 0, again.Stderr);
            // a second apply changes nothing; kubectl always sends a PodDisruptionBudget's selector (its patch strategy
            // is "replace"), so it reports that one as configured on a real API server too
            Assert.All(again.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                line => Assert.EndsWith(line.StartsWith("poddisruptionbudget.policy/", StringComparison.Ordinal) ? " configured" : " unchanged", line, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(manifest);
        }

        var kinds = rendered.Objects.Select(o => (string)o["kind"]!).ToHashSet();
        Assert.Superset(new HashSet<string> { "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
            "Deployment", "Service", "ServiceMonitor", "PodDisruptionBudget" }, kinds);
        var deployed = await harness.Client.AppsV1.ReadNamespacedDeploymentAsync("flagger", ReleaseNamespace, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(rendered.Args, deployed.Spec.Template.Spec.Containers[0].Args);

        // the operator as the pod would run it: the container's args and env; the test adds only where the API
        // server is, a 1s analysis-interval floor and a free port (8080 may be taken on a shared machine)
        var args = rendered.Args.Concat([$"-kubeconfig={harness.Cluster.KubeconfigPath}", "-min-analysis-interval=1s", "-port=0"]).ToList();
        using var env = ContainerEnvironment.Apply(rendered.Container);
        harness.Apply(OperatorHarness.Deployment(Watched, "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply($"""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: podinfo
              namespace: {Watched}
            spec:
              targetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: podinfo
              progressDeadlineSeconds: 60
              service:
                port: 9898
              analysis:
                interval: 1s
                threshold: 2
                maxWeight: 20
                stepWeight: 10
            """);
        await harness.StartOperatorAsync(args);
        await harness.WaitForPhaseAsync(Watched, "podinfo", CanaryPhase.Initialized);

        await harness.SetImageAsync(Watched, "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");

        await harness.WaitForPhaseAsync(Watched, "podinfo", CanaryPhase.Succeeded);
        var primary = await harness.Client.AppsV1.ReadNamespacedDeploymentAsync("podinfo-primary", Watched, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", primary.Spec.Template.Spec.Containers[0].Image);
        Assert.Contains("Promotion completed! Scaling down podinfo.apps", await harness.EventMessagesAsync(Watched));
        // the leader election the values enabled happened in the watched namespace, as the rendered Role allows
        var lease = await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync("flagger-leader-election", Watched, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrEmpty(lease.Spec.HolderIdentity));
        Assert.Equal(Watched, (string?)rendered.Single("Role")["metadata"]!["namespace"]);
        // the rendered notification flags reached the operator: Slack, Teams and the event webhook were called
        await harness.StopOperatorAsync();
        Assert.True(events.Received.Any(r => r.Body.Contains("\"name\":\"podinfo\"", StringComparison.Ordinal)),
            "event webhook not called; operator log:\n" + string.Join('\n', harness.Logs.Entries.Where(e => e.Text.Contains("ebhook", StringComparison.Ordinal)).Select(e => e.Text).Take(20)));
        // upstream: with both set, MS Teams wins over Slack for the global notifier
        Assert.Contains(teams.Received, r => r.Body.Contains("podinfo.apps", StringComparison.Ordinal));
        Assert.Empty(slack.Received);
    }

    /// <summary>
    /// Sets the container's <c>env</c> for the in-process operator (literal values only; the upstream-style values have
    /// no secretKeyRef) and restores the previous values on dispose.
    /// </summary>
    private sealed class ContainerEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public static ContainerEnvironment Apply(JsonObject container)
        {
            var environment = new ContainerEnvironment();
            foreach (var entry in container["env"]?.AsArray() ?? [])
            {
                var name = (string)entry!["name"]!;
                Assert.True(entry["valueFrom"] is null, $"env {name}: valueFrom is not resolved by this test");
                environment._previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, (string?)entry["value"]);
            }

            return environment;
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
