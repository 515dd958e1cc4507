namespace Flagger.AppHost.Tests;

public sealed class K3sSetupTests
{
    private static Func<string, string?> Having(params string[] tools) => name => tools.Contains(name) ? "/usr/bin/" + name : null;

    [Fact]
    public void Istioctl_is_preferred_then_helm()
    {
        Assert.Equal(IstioInstaller.Istioctl, K3sSetup.ChooseInstaller(Having("istioctl", "helm")));
        Assert.Equal(IstioInstaller.Helm, K3sSetup.ChooseInstaller(Having("helm")));
        Assert.Equal(IstioInstaller.None, K3sSetup.ChooseInstaller(Having("kubectl")));
    }

    [Fact]
    public void Missing_tools_are_named()
    {
        Assert.Empty(K3sSetup.Missing(Having("kubectl", "helm")));
        var missing = K3sSetup.Missing(Having());
        Assert.Equal(2, missing.Count);
        Assert.StartsWith("kubectl is not on PATH", missing[0], StringComparison.Ordinal);
        Assert.StartsWith("neither istioctl nor helm is on PATH", missing[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_listens_on_the_given_port_and_writes_a_readable_kubeconfig()
    {
        Assert.Equal(["server", "--disable=traefik", "--disable=metrics-server", "--https-listen-port=41234", "--tls-san=127.0.0.1"], K3sSetup.ServerArgs(41234));
        Assert.Equal("/output/kubeconfig", K3sSetup.ServerEnvironment()["K3S_KUBECONFIG_OUTPUT"]);
    }

    [Fact]
    public void With_missing_tools_the_script_only_reports_them_and_fails()
    {
        var script = K3sSetup.Script(IstioInstaller.None, ["kubectl is not on PATH"], "/k", "/c", "/certs", "/r", "/seed");

        Assert.Contains("echo 'k3s setup: missing: kubectl is not on PATH' >&2", script, StringComparison.Ordinal);
        Assert.EndsWith("exit 1\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl apply", script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_istioctl_script_installs_istio_before_the_crds_podinfo_load_and_canary()
    {
        var script = K3sSetup.Script(IstioInstaller.Istioctl, [], "/r/.tmp/k3s/kubeconfig", "/r/.tmp/kubeconfig", "/r/.tmp/k3s/certs", "/r", "/r/.tmp/seed");
        var lines = script.Split('\n');

        int Line(string start) => Array.FindIndex(lines, l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.True(Line("cp '/r/.tmp/k3s/kubeconfig' '/r/.tmp/kubeconfig'") > 0);
        Assert.True(Line("kubectl config view --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d > '/r/.tmp/k3s/certs/client.key'") > 0);
        var order = new[]
        {
            Line("istioctl install --set profile=minimal -y"),
            Line("kubectl apply -f '/r/deploy/crds'"),
            Line("kubectl apply -f '/r/.tmp/seed/podinfo.yaml'"),
            Line("kubectl -n test rollout status deployment/podinfo"),
            Line("kubectl -n test run podinfo-load"),
            Line("kubectl apply -f '/r/.tmp/seed/podinfo-canary.yaml'"),
        };
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public void The_helm_script_installs_istio_base_and_istiod_with_a_pinned_version()
    {
        var script = K3sSetup.Script(IstioInstaller.Helm, [], "/k", "/c", "/certs", "/r", "/seed");

        Assert.Contains($"helm upgrade -i istio-base istio/base --version {K3sSetup.IstioVersion} -n istio-system --create-namespace --wait", script, StringComparison.Ordinal);
        Assert.Contains($"helm upgrade -i istiod istio/istiod --version {K3sSetup.IstioVersion} -n istio-system --wait", script, StringComparison.Ordinal);
        Assert.DoesNotContain("istioctl", script, StringComparison.Ordinal);
    }
}
