namespace Flagger.E2E.Environment.Installs;

/// <summary>KEDA from its Helm chart, as upstream's <c>test/keda/install.sh</c>.</summary>
public static class KedaInstall
{
    public static ProviderInstall Steps { get; } = new("keda",
    [
        ["helm", "repo", "add", "kedacore", "https://kedacore.github.io/charts"],
        ["helm", "upgrade", "--install", "keda", "kedacore/keda", "--namespace", "keda", "--create-namespace", "--wait"],
    ]);
}
