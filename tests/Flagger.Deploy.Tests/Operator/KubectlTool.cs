using Flagger.Deploy.Tests.Helm;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// The kubectl the tests use: <c>kubectl</c> on PATH when it runs, else the one eng/install-helm.sh puts in
/// <c>.tools/kubectl</c> next to helm. Tests skip with the reason when neither can be had.
/// </summary>
internal static class KubectlTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<string> RequireAsync()
    {
        foreach (var candidate in Candidates())
        {
            try
            {
                var probe = await HelmTool.RunProcessAsync(candidate, ["version", "--client"], Timeout);
                if (probe.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed there; try the next one
            }
        }

        await HelmTool.RequireAsync(); // installs .tools/kubectl with helm, or skips with the reason
        var cached = RepoRoot.Combine(".tools", "kubectl", "kubectl");
        if (!File.Exists(cached))
        {
            Assert.Skip("kubectl is not available: not on PATH and eng/install-helm.sh left no .tools/kubectl/kubectl");
        }

        return cached;
    }

    /// <summary>Runs kubectl against the given kubeconfig; throws on a timeout.</summary>
    public static async Task<ToolResult> RunAsync(string kubeconfig, params string[] args) =>
        await HelmTool.RunProcessAsync(await RequireAsync(), ["--kubeconfig", kubeconfig, .. args], Timeout);

    private static IEnumerable<string> Candidates()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "kubectl");
            if (File.Exists(path))
            {
                yield return path;
            }
        }

        var tools = RepoRoot.Combine(".tools", "kubectl", "kubectl");
        if (File.Exists(tools))
        {
            yield return tools;
        }
    }
}
