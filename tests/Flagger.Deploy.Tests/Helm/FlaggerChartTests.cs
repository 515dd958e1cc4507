using System.Text.Json.Nodes;

namespace Flagger.Deploy.Tests.Helm;

public sealed class FlaggerChartTests
{
    private const string Chart = "charts/flagger";
    private const string Namespace = "flagger-system";

    /// <summary>The flags the runtime (src/Flagger.Runtime, upstream's cmd/flagger names) accepts.</summary>
    private static readonly HashSet<string> RuntimeFlags =
    [
        "mesh-provider", "metrics-server", "enable-leader-election", "leader-election-namespace", "namespace",
        "selector-labels", "include-label-prefix", "enable-config-tracking", "cluster-name", "event-webhook",
        "slack-url", "slack-user", "slack-channel", "slack-proxy-url", "slack-token", "msteams-url",
        "msteams-proxy-url", "ingress-annotations-prefix", "ingress-class", "no-cross-namespace-refs", "port",
        "log-level", "kubeconfig-qps", "kubeconfig-burst",
    ];

    [Fact]
    public async Task Helm_lint_passes_with_default_and_upstream_style_values()
    {
        var defaults = await HelmTool.RunAsync("lint", RepoRoot.Combine(Chart), "--strict");
        var upstream = await HelmTool.RunAsync("lint", RepoRoot.Combine(Chart), "--strict", "-f", HelmTool.ValuesFile("upstream-style.yaml"));

        Assert.True(defaults.ExitCode == 0, defaults.Stdout + defaults.Stderr);
        Assert.True(upstream.ExitCode == 0, upstream.Stdout + upstream.Stderr);
        Assert.Contains("0 chart(s) failed", upstream.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_values_start_the_operator_with_upstreams_default_flags()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);

        Assert.Equal(
            ["-log-level=info", "-metrics-server=http://prometheus:9090", "-enable-config-tracking=true", "-slack-user=flagger"],
            rendered.Args);
        Assert.Null(rendered.Container["env"]);
        Assert.Null(rendered.Container["command"]); // the image's ENTRYPOINT (dotnet flagger.dll) runs
        Assert.Equal("flagger-dotnet:0.1.0", (string?)rendered.Container["image"]);
        var deployment = rendered.Single("Deployment");
        Assert.Equal("1", (string?)deployment["spec"]!["replicas"]);
        Assert.Equal("Recreate", (string?)deployment["spec"]!["strategy"]!["type"]);
        Assert.Empty(rendered.OfKind("Role"));
        Assert.Empty(rendered.OfKind("ServiceMonitor"));
        Assert.Empty(rendered.OfKind("PodDisruptionBudget"));
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "Deployment", "ServiceAccount"],
            rendered.Objects.Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Upstream_style_values_reach_the_operator_as_the_flags_it_expects()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "-f", HelmTool.ValuesFile("upstream-style.yaml"));

        Assert.Equal(
            [
                "-log-level=debug",
                "-mesh-provider=istio",
                "-metrics-server=http://prometheus.istio-system:9090",
                "-selector-labels=app,name,app.kubernetes.io/name,app.kubernetes.io/instance",
                "-enable-config-tracking=false",
                "-namespace=apps",
                "-slack-url=https://hooks.slack.com/services/T000/B000/XXXXXXXX",
                "-slack-proxy-url=http://proxy.corp.example:3128",
                "-slack-user=flagger-bot",
                "-slack-channel=#deployments",
                "-msteams-url=https://example.webhook.office.com/webhookb2/abc",
                "-msteams-proxy-url=http://proxy.corp.example:3128",
                "-enable-leader-election=true",
                "-leader-election-namespace=flagger-system",
                "-ingress-annotations-prefix=custom.ingress.kubernetes.io",
                "-include-label-prefix=app.kubernetes.io,team",
                "-ingress-class=contour-internal",
                "-event-webhook=http://events.observability.svc.cluster.local/flagger",
                "-kubeconfig-qps=200",
                "-kubeconfig-burst=400",
                "-cluster-name=prod-eu-1",
                "-no-cross-namespace-refs=true",
            ],
            rendered.Args);
        var deployment = rendered.Single("Deployment");
        Assert.Equal("2", (string?)deployment["spec"]!["replicas"]);
        Assert.Null(deployment["spec"]!["strategy"]);
        Assert.Equal("42", (string?)deployment["metadata"]!["labels"]!["cost-center"]);
        Assert.Equal("registry.example.com/platform/flagger-dotnet:1.2.3", (string?)rendered.Container["image"]);
        Assert.Equal("Always", (string?)rendered.Container["imagePullPolicy"]);
        Assert.Equal("regcred", (string?)rendered.PodSpec["imagePullSecrets"]![0]!["name"]);
        Assert.Equal("flagger-operator", (string?)rendered.PodSpec["serviceAccountName"]);
        Assert.Equal("system-cluster-critical", (string?)rendered.PodSpec["priorityClassName"]);
        Assert.Equal("linux", (string?)rendered.PodSpec["nodeSelector"]!["kubernetes.io/os"]);
        Assert.Equal("platform", (string?)rendered.PodSpec["tolerations"]![0]!["value"]);
        Assert.Equal("platform", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["team"]);
        Assert.Equal("HTTPS_PROXY", (string?)rendered.Container["env"]![0]!["name"]);
        Assert.Equal("256Mi", (string?)rendered.Container["resources"]!["limits"]!["memory"]);
        Assert.Equal("20m", (string?)rendered.Container["resources"]!["requests"]!["cpu"]);
        Assert.Equal("arn:aws:iam::123456789012:role/flagger",
            (string?)rendered.Single("ServiceAccount")["metadata"]!["annotations"]!["eks.amazonaws.com/role-arn"]);
    }

    [Fact]
    public async Task Every_flag_the_chart_can_render_is_one_the_runtime_accepts()
    {
        var defaults = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);
        var upstream = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "-f", HelmTool.ValuesFile("upstream-style.yaml"));
        var withToken = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "--set", "slack.token=xoxb-1");

        var rendered = defaults.Args.Concat(upstream.Args).Concat(withToken.Args).ToList();

        Assert.All(rendered, arg =>
        {
            Assert.StartsWith("-", arg, StringComparison.Ordinal);
            Assert.Contains(arg[1..arg.IndexOf('=', StringComparison.Ordinal)], RuntimeFlags);
        });
        Assert.Contains("-slack-token=xoxb-1", withToken.Args);
    }

    [Fact]
    public async Task Resources_default_to_upstreams_requests_and_limits()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);

        var resources = rendered.Container["resources"]!;
        Assert.Equal("10m", (string?)resources["requests"]!["cpu"]);
        Assert.Equal("32Mi", (string?)resources["requests"]!["memory"]);
        Assert.Equal("1000m", (string?)resources["limits"]!["cpu"]);
        Assert.Equal("512Mi", (string?)resources["limits"]!["memory"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("upstream-style.yaml")]
    public async Task The_pod_is_non_root_read_only_without_capabilities_under_the_runtime_default_seccomp_profile(string values)
    {
        var rendered = values.Length == 0
            ? await HelmTool.TemplateAsync(Chart, "flagger", Namespace)
            : await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "-f", HelmTool.ValuesFile(values));

        var container = rendered.Container["securityContext"]!;
        Assert.Equal("true", (string?)container["runAsNonRoot"]);
        Assert.Equal("10001", (string?)container["runAsUser"]);
        Assert.Equal("true", (string?)container["readOnlyRootFilesystem"]);
        Assert.Equal("false", (string?)container["allowPrivilegeEscalation"]);
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("RuntimeDefault", (string?)container["seccompProfile"]!["type"]);
        var pod = rendered.PodSpec["securityContext"]!;
        Assert.Equal("true", (string?)pod["runAsNonRoot"]);
        Assert.Equal("10001", (string?)pod["runAsUser"]);
        Assert.Equal("RuntimeDefault", (string?)pod["seccompProfile"]!["type"]);
        // the only writable path is an emptyDir on /tmp
        Assert.Equal("/tmp", (string?)rendered.Container["volumeMounts"]![0]!["mountPath"]);
        Assert.NotNull(rendered.PodSpec["volumes"]![0]!["emptyDir"]);
    }

    [Fact]
    public async Task Disabling_the_security_context_leaves_it_to_the_platform_as_upstream_does_for_openshift()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "--set", "securityContext.enabled=false");

        Assert.Null(rendered.Container["securityContext"]);
        Assert.Null(rendered.PodSpec["securityContext"]);
    }

    [Fact]
    public async Task Liveness_probes_healthz_and_readiness_probes_readyz_on_port_8080()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);

        var container = rendered.Container;
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        var port = Assert.Single(container["ports"]!.AsArray());
        Assert.Equal("http", (string?)port!["name"]);
        Assert.Equal("8080", (string?)port["containerPort"]);
    }

    [Fact]
    public async Task The_pod_carries_the_prometheus_scrape_annotations()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);

        var annotations = rendered.Single("Deployment")["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal("true", (string?)annotations["prometheus.io/scrape"]);
        Assert.Equal("8080", (string?)annotations["prometheus.io/port"]);
    }

    [Fact]
    public async Task A_values_file_with_unknown_keys_renders_the_same_objects_as_the_defaults()
    {
        var defaults = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);
        var unknown = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "-f", HelmTool.ValuesFile("unknown-keys.yaml"));

        Assert.Equal(defaults.Objects.Count, unknown.Objects.Count);
        Assert.Equal(
            defaults.Objects.Select(o => o.ToJsonString()),
            unknown.Objects.Select(o => o.ToJsonString()));
    }

    [Fact]
    public async Task With_an_existing_secret_slack_teams_and_webhook_urls_come_only_from_secret_refs()
    {
        var result = await HelmTool.RunAsync(
            "template", "flagger", RepoRoot.Combine(Chart), "--namespace", Namespace, "-f", HelmTool.ValuesFile("slack-secret.yaml"));
        Assert.Equal(0, result.ExitCode);
        var rendered = Manifests.Parse(result.Stdout);

        Assert.DoesNotContain("must-not-render", result.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("xoxb", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["-log-level=info", "-metrics-server=http://prometheus:9090", "-enable-config-tracking=true",
            "-slack-user=flagger", "-slack-channel=#deployments"], rendered.Args);
        var env = rendered.Container["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => e!["valueFrom"]!["secretKeyRef"]!);
        Assert.Equal(["SLACK_URL", "SLACK_TOKEN", "SLACK_PROXY_URL", "MSTEAMS_URL", "MSTEAMS_PROXY_URL", "EVENT_WEBHOOK_URL"], env.Keys);
        Assert.Equal("flagger-slack", (string?)env["SLACK_URL"]["name"]);
        Assert.Equal("url", (string?)env["SLACK_URL"]["key"]);
        Assert.Equal("token", (string?)env["SLACK_TOKEN"]["key"]);
        Assert.Equal("proxy-url", (string?)env["SLACK_PROXY_URL"]["key"]);
        Assert.Equal("flagger-msteams", (string?)env["MSTEAMS_URL"]["name"]);
        Assert.Equal("flagger-events", (string?)env["EVENT_WEBHOOK_URL"]["name"]);
        Assert.Equal("webhook-url", (string?)env["EVENT_WEBHOOK_URL"]["key"]);
        Assert.Equal("true", (string?)env["SLACK_TOKEN"]["optional"]);
    }

    [Fact]
    public async Task Leader_election_gets_a_role_for_its_lease_in_the_election_namespace_only()
    {
        var inRelease = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "--set", "leaderElection.enabled=true");
        var watched = await HelmTool.TemplateAsync(Chart, "flagger", Namespace,
            "--set", "leaderElection.enabled=true", "--set", "namespace=apps");

        var role = inRelease.Single("Role");
        Assert.Equal(Namespace, (string?)role["metadata"]!["namespace"]);
        Assert.Equal(
            ["coordination.k8s.io|leases|flagger-leader-election|get,update", "coordination.k8s.io|leases||create"],
            Rbac.Rules(role));
        var binding = inRelease.Single("RoleBinding");
        Assert.Equal(Namespace, (string?)binding["metadata"]!["namespace"]);
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        Assert.Equal("flagger", (string?)binding["subjects"]![0]!["name"]);
        Assert.Contains("-enable-leader-election=true", inRelease.Args);
        Assert.Contains("-leader-election-namespace=flagger-system", inRelease.Args);
        // the operator elects in the watched namespace when -namespace is set (upstream cmd/flagger/main.go)
        Assert.Equal("apps", (string?)watched.Single("Role")["metadata"]!["namespace"]);
        Assert.Equal("apps", (string?)watched.Single("RoleBinding")["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task The_cluster_role_grants_exactly_what_the_supported_providers_need()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace);

        var clusterRole = rendered.Single("ClusterRole");
        Assert.Equal(
            new[]
            {
                "|configmaps||create,list,update,watch",
                "apisix.apache.org|apisixroutes||create,list,update,watch",
                "|events||create,patch",
                "|secrets||create,list,update,watch",
                "|services||create,list,update,watch",
                "appmesh.k8s.aws|virtualnodes||create,list,update,watch",
                "appmesh.k8s.aws|virtualrouters||create,list,update,watch",
                "appmesh.k8s.aws|virtualservices||create,list,update,watch",
                "apps|daemonsets||create,list,update,watch",
                "apps|deployments||create,list,patch,update,watch",
                "autoscaling|horizontalpodautoscalers||create,list,update,watch",
                "flagger.app|alertproviders||list,watch",
                "flagger.app|canaries/finalizers||update",
                "flagger.app|canaries/status||update",
                "flagger.app|canaries||list,update,watch",
                "flagger.app|metrictemplates||list,watch",
                "gateway.solo.io|routetables||create,list,update,watch",
                "gloo.solo.io|upstreams||create,list,update,watch",
                "kuma.io|trafficroutes||create,list,update,watch",
                "gateway.networking.k8s.io|httproutes||create,list,update,watch",
                "keda.sh|scaledobjects||create,list,patch,update,watch",
                "metrics.keptn.sh|analyses||create,delete,get",
                "metrics.keptn.sh|keptnmetrics||get",
                "networking.istio.io|destinationrules||create,list,update,watch",
                "networking.istio.io|virtualservices||create,list,update,watch",
                "networking.k8s.io|ingresses||create,delete,list,update,watch",
                "nonResourceURL|/version||get",
                "projectcontour.io|httpproxies||create,list,update,watch",
                "split.smi-spec.io|trafficsplits||create,list,update,watch",
                "traefik.io|traefikservices||create,list,update,watch",
                "serving.knative.dev|revisions||list,watch",
                "serving.knative.dev|services||list,patch,watch",
            }.Order(StringComparer.Ordinal),
            Rbac.Rules(clusterRole));
        var binding = rendered.Single("ClusterRoleBinding");
        Assert.Equal("ClusterRole", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal((string?)clusterRole["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        Assert.Equal(Namespace, (string?)binding["subjects"]![0]!["namespace"]);
        Assert.Equal("flagger", (string?)binding["subjects"]![0]!["name"]);
    }

    [Fact]
    public async Task Rbac_create_false_renders_no_roles()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace,
            "--set", "rbac.create=false", "--set", "leaderElection.enabled=true");

        Assert.Empty(rendered.OfKind("ClusterRole"));
        Assert.Empty(rendered.OfKind("ClusterRoleBinding"));
        Assert.Empty(rendered.OfKind("Role"));
    }

    [Fact]
    public async Task Service_monitor_and_pod_disruption_budget_render_when_enabled()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "-f", HelmTool.ValuesFile("upstream-style.yaml"));

        var monitor = rendered.Single("ServiceMonitor");
        Assert.Equal("monitoring", (string?)monitor["metadata"]!["namespace"]);
        Assert.Equal("kube-prometheus-stack", (string?)monitor["metadata"]!["labels"]!["release"]);
        Assert.Equal("/metrics", (string?)monitor["spec"]!["endpoints"]![0]!["path"]);
        Assert.Equal("true", (string?)monitor["spec"]!["endpoints"]![0]!["honorLabels"]);
        var service = rendered.Single("Service");
        Assert.Equal("8080", (string?)service["spec"]!["ports"]![0]!["port"]);
        Assert.Equal("http", (string?)service["spec"]!["ports"]![0]!["targetPort"]);
        var selector = (JsonObject)monitor["spec"]!["selector"]!["matchLabels"]!;
        Assert.All(selector, kv => Assert.Equal((string?)kv.Value, (string?)service["metadata"]!["labels"]![kv.Key]));
        var pdb = rendered.Single("PodDisruptionBudget");
        Assert.Equal("1", (string?)pdb["spec"]!["minAvailable"]);
        Assert.Equal(
            rendered.Single("Deployment")["spec"]!["selector"]!["matchLabels"]!.ToJsonString(),
            pdb["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
    }
    [Fact]
    public async Task Helm_installs_every_crd_of_the_charts_crds_folder()
    {
        var files = Directory.GetFiles(RepoRoot.Combine("charts", "flagger", "crds"), "*.y*ml");
        if (files.Length == 0)
        {
            Assert.Skip("charts/flagger/crds is empty until deploy/crds lands and eng/sync-chart-crds.sh runs");
        }
        var expected = files.SelectMany(f => Manifests.Parse(File.ReadAllText(f)).OfKind("CustomResourceDefinition"))
            .Select(c => (string)c["metadata"]!["name"]!)
            .Order(StringComparer.Ordinal);

        var rendered = await HelmTool.TemplateAsync(Chart, "flagger", Namespace, "--include-crds");

        Assert.Equal(expected, rendered.OfKind("CustomResourceDefinition").Select(c => (string)c["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.Contains("canaries.flagger.app", expected);
    }
}
