using YamlDotNet.RepresentationModel;

namespace Flagger.AppHost.Tests;

public sealed class PrometheusTests
{
    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node)[key];
        }

        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public void The_config_scrapes_every_target_with_the_short_interval()
    {
        var yaml = PrometheusConfig.Render(TimeSpan.FromSeconds(2),
            [new("simulator-mesh", "127.0.0.1:4001"), new("flagger", "127.0.0.1:4002")]);

        var root = Parse(yaml);
        Assert.Equal("2s", Scalar(root, "global", "scrape_interval"));
        var jobs = ((YamlSequenceNode)root["scrape_configs"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(["simulator-mesh", "flagger"], jobs.Select(j => Scalar(j, "job_name")));
        Assert.Equal("/metrics", Scalar(jobs[0], "metrics_path"));
        var targets = (YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)jobs[1]["static_configs"])[0])["targets"];
        Assert.Equal("127.0.0.1:4002", ((YamlScalarNode)targets[0]).Value);
    }

    [Fact]
    public void In_k3s_mode_the_mesh_is_scraped_through_the_api_server_pod_proxy_with_the_client_certificates()
    {
        var yaml = PrometheusConfig.Render(TimeSpan.FromSeconds(2), [new("flagger", "127.0.0.1:4002")],
            PrometheusConfig.K3sMeshScrape("127.0.0.1:6443", "/r/.tmp/kubeconfig", "/r/.tmp/k3s/certs"));

        var jobs = ((YamlSequenceNode)Parse(yaml)["scrape_configs"]).Cast<YamlMappingNode>().ToList();
        var mesh = Assert.Single(jobs, j => Scalar(j, "job_name") == "istio-mesh");
        Assert.Equal("https", Scalar(mesh, "scheme"));
        Assert.Equal("/r/.tmp/k3s/certs/client.key", Scalar(mesh, "tls_config", "key_file"));
        Assert.Equal("/r/.tmp/kubeconfig", Scalar(((YamlSequenceNode)mesh["kubernetes_sd_configs"])[0], "kubeconfig_file"));
        var relabels = ((YamlSequenceNode)mesh["relabel_configs"]).Cast<YamlMappingNode>().ToList();
        Assert.Contains(relabels, r => r.Children.ContainsKey("target_label") && Scalar(r, "target_label") == "__address__" && Scalar(r, "replacement") == "127.0.0.1:6443");
        Assert.Contains(relabels, r => r.Children.ContainsKey("target_label") && Scalar(r, "target_label") == "__metrics_path__"
            && Scalar(r, "replacement") == "/api/v1/namespaces/$1/pods/$2:15020/proxy/stats/prometheus");
    }

    [Fact]
    public void The_binary_on_path_is_preferred_and_nothing_is_installed()
    {
        var source = PrometheusSource.Choose("/r", () => throw new InvalidOperationException("not probed"),
            find: name => name == "prometheus" ? "/usr/bin/prometheus" : null,
            install: _ => throw new InvalidOperationException("not installed"));

        Assert.Equal(PrometheusKind.Binary, source.Kind);
        Assert.Equal("/usr/bin/prometheus", source.Path);
    }

    [Fact]
    public void Without_the_binary_a_container_is_used_when_a_runtime_answers()
    {
        var source = PrometheusSource.Choose("/r", () => new ContainerRuntimeProbe(true, "`docker info` succeeded"),
            find: _ => null, install: _ => throw new InvalidOperationException("not installed"));

        Assert.Equal(PrometheusKind.Container, source.Kind);
    }

    [Fact]
    public void Without_binary_and_container_runtime_the_prerequisites_script_installs_it()
    {
        var installed = false;
        var ran = "";
        var source = PrometheusSource.Choose("/r", () => new ContainerRuntimeProbe(false, "no docker"),
            find: _ => installed ? "/usr/bin/prometheus" : null,
            install: script => { ran = script; installed = true; return 0; });

        Assert.Equal("/r/eng/prerequisites.sh", ran);
        Assert.Equal(PrometheusKind.Binary, source.Kind);
    }

    [Fact]
    public void When_installing_fails_the_message_names_the_one_command_to_run()
    {
        var source = PrometheusSource.Choose("/r", () => new ContainerRuntimeProbe(false, "no docker"),
            find: _ => null, install: _ => 1);

        Assert.Equal(PrometheusKind.Missing, source.Kind);
        Assert.Contains("eng/prerequisites.sh exited 1", source.Description, StringComparison.Ordinal);
        Assert.Contains("./eng/prerequisites.sh", source.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Prometheus_listens_on_loopback_only()
    {
        Assert.Contains("--web.listen-address=127.0.0.1:9091", PrometheusSource.Args("/c.yml", "/d", 9091));
    }
}
