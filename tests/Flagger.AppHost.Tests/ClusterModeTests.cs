namespace Flagger.AppHost.Tests;

public sealed class ClusterModeTests
{
    private static ContainerRuntimeProbe NotAsked() => throw new InvalidOperationException("the container runtime must not be probed");

    [Theory]
    [InlineData("simulator", "Simulator")]
    [InlineData("k3s", "K3s")]
    [InlineData(" K3S ", "K3s")]
    public void An_explicit_mode_wins_without_probing_the_container_runtime(string configured, string expected)
    {
        var choice = ClusterMode.Choose(configured, NotAsked);

        Assert.Equal(expected, choice.Kind.ToString());
        Assert.Contains("Cluster:Mode=", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_picks_k3s_when_the_container_runtime_answers_and_says_how_to_override()
    {
        var choice = ClusterMode.Choose(null, () => new ContainerRuntimeProbe(true, "`docker info` succeeded"));

        Assert.Equal(ClusterKind.K3s, choice.Kind);
        Assert.Equal("a container runtime answers (`docker info` succeeded); set Cluster:Mode=simulator to use the simulated cluster instead", choice.Reason);
    }

    [Fact]
    public void Auto_falls_back_to_the_simulator_when_k3s_mode_lacks_a_tool_and_names_it()
    {
        var choice = ClusterMode.Choose("auto", () => new ContainerRuntimeProbe(true, "`docker info` succeeded"), () => ["kubectl is not on PATH"]);

        Assert.Equal(ClusterKind.Simulator, choice.Kind);
        Assert.Equal("a container runtime answers (`docker info` succeeded) but k3s mode lacks: kubectl is not on PATH; set Cluster:Mode=k3s to force k3s", choice.Reason);
    }

    [Fact]
    public void An_explicit_k3s_mode_is_kept_even_when_tools_are_missing()
    {
        Assert.Equal(ClusterKind.K3s, ClusterMode.Choose("k3s", NotAsked, () => ["kubectl is not on PATH"]).Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    public void Auto_picks_the_simulator_when_no_container_runtime_answers(string? configured)
    {
        var choice = ClusterMode.Choose(configured, () => new ContainerRuntimeProbe(false, "`docker info` exited 1: Cannot connect to the Docker daemon"));

        Assert.Equal(ClusterKind.Simulator, choice.Kind);
        Assert.StartsWith("no container runtime answers (`docker info` exited 1: Cannot connect to the Docker daemon)", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_mode_is_an_error_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterMode.Choose("kind", NotAsked));

        Assert.StartsWith("Cluster:Mode: unknown value \"kind\": use simulator, k3s or auto", error.Message, StringComparison.Ordinal);
    }
}
