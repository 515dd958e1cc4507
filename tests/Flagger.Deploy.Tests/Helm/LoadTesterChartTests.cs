namespace Flagger.Deploy.Tests.Helm;

public sealed class LoadTesterChartTests
{
    private const string Chart = "charts/loadtester";

    [Fact]
    public async Task Helm_lint_passes()
    {
        var result = await HelmTool.RunAsync("lint", RepoRoot.Combine(Chart), "--strict");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Default_values_run_the_loadtester_on_8080_behind_service_port_80_with_a_gate_state_volume()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger-loadtester", "test");

        Assert.Equal(
            ["-port=8080", "-log-level=info", "-timeout=1h", "-namespace-regexp=", "-state-dir=/var/lib/loadtester/gates"],
            rendered.Args);
        var service = rendered.Single("Service");
        Assert.Equal("flagger-loadtester", (string?)service["metadata"]!["name"]);
        Assert.Equal("80", (string?)service["spec"]!["ports"]![0]!["port"]);
        Assert.Equal("http", (string?)service["spec"]!["ports"]![0]!["targetPort"]);
        Assert.Equal("8080", (string?)rendered.Container["ports"]![0]!["containerPort"]);
        Assert.Equal("/healthz", (string?)rendered.Container["livenessProbe"]!["httpGet"]!["path"]);
        var mounts = rendered.Container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => (string)m!["mountPath"]!);
        Assert.Equal("/tmp", mounts["tmp"]);
        Assert.Equal("/var/lib/loadtester/gates", mounts["gate-state"]);
        var volumes = rendered.PodSpec["volumes"]!.AsArray();
        Assert.Contains(volumes, v => (string?)v!["name"] == "gate-state" && v["emptyDir"] is not null);
        var security = rendered.Container["securityContext"]!;
        Assert.Equal("10001", (string?)security["runAsUser"]);
        Assert.Equal("true", (string?)security["readOnlyRootFilesystem"]);
        Assert.Equal("ALL", (string?)security["capabilities"]!["drop"]![0]);
    }

    [Fact]
    public async Task Default_values_set_a_memory_limit()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "flagger-loadtester", "test");

        Assert.Equal("256Mi", (string?)rendered.Container["resources"]!["limits"]!["memory"]);
        Assert.Equal("64Mi", (string?)rendered.Container["resources"]!["requests"]!["memory"]);
    }

    [Fact]
    public async Task Upstream_values_for_timeout_namespace_regexp_and_service_port_are_honoured()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "lt", "test",
            "--set", "cmd.timeout=30m", "--set", "cmd.namespaceRegexp=^test$", "--set", "service.port=9090",
            "--set", "gateState.persistentVolumeClaim=gates", "--set", "logLevel=debug",
            "--set", "meshName=ignored", "--set", "istio.enabled=false");

        Assert.Equal(
            ["-port=8080", "-log-level=debug", "-timeout=30m", "-namespace-regexp=^test$", "-state-dir=/var/lib/loadtester/gates"],
            rendered.Args);
        Assert.Equal("9090", (string?)rendered.Single("Service")["spec"]!["ports"]![0]!["port"]);
        Assert.Contains(rendered.PodSpec["volumes"]!.AsArray(),
            v => (string?)v!["name"] == "gate-state" && (string?)v["persistentVolumeClaim"]?["claimName"] == "gates");
    }

    [Fact]
    public async Task The_loadtester_accepts_every_arg_the_chart_renders()
    {
        var defaults = await HelmTool.TemplateAsync(Chart, "flagger-loadtester", "test");
        var custom = await HelmTool.TemplateAsync(Chart, "lt", "test",
            "--set", "cmd.timeout=30m", "--set", "cmd.namespaceRegexp=^test$", "--set", "logLevel=debug");

        var (parsed, error) = Flagger.LoadTester.CommandLine.Parse(defaults.Args, _ => null);
        var (parsedCustom, customError) = Flagger.LoadTester.CommandLine.Parse(custom.Args, _ => null);

        Assert.Null(error);
        Assert.Equal(8080, parsed!.Port);
        Assert.Equal(TimeSpan.FromHours(1), parsed.Timeout);
        Assert.Equal("/var/lib/loadtester/gates", parsed.StateDir);
        Assert.Null(customError);
        Assert.Equal(TimeSpan.FromMinutes(30), parsedCustom!.Timeout);
        Assert.Equal("^test$", parsedCustom.NamespaceRegexp!.ToString());
        Assert.Equal("debug", parsedCustom.LogLevel);
    }

    [Fact]
    public async Task Gate_state_disabled_keeps_gates_in_memory_as_upstream_does()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "lt", "test", "--set", "gateState.enabled=false");

        Assert.DoesNotContain(rendered.Args, a => a.StartsWith("-state-dir", StringComparison.Ordinal));
        Assert.DoesNotContain(rendered.PodSpec["volumes"]!.AsArray(), v => (string?)v!["name"] == "gate-state");
    }

    [Fact]
    public async Task Rbac_create_with_cluster_scope_binds_the_given_rules_to_the_pods_service_account()
    {
        var rendered = await HelmTool.TemplateAsync(Chart, "lt", "test",
            "--set", "rbac.create=true", "--set", "rbac.scope=cluster",
            "--set", "rbac.rules[0].apiGroups[0]=apps", "--set", "rbac.rules[0].resources[0]=deployments",
            "--set", "rbac.rules[0].verbs[0]=get");

        Assert.Equal(["apps|deployments||get"], Rbac.Rules(rendered.Single("ClusterRole")));
        Assert.Equal("lt-loadtester", (string?)rendered.PodSpec["serviceAccountName"]);
        Assert.Equal("lt-loadtester", (string?)rendered.Single("ClusterRoleBinding")["subjects"]![0]!["name"]);
    }
}
