namespace Flagger.AppHost;

/// <summary>
/// The seed files under deploy/dev name upstream's in-cluster addresses; for a cluster whose operator runs on this
/// machine they are rewritten to the local processes before they are applied.
/// </summary>
internal static class SeedManifests
{
    public const string UpstreamPrometheus = "http://prometheus.istio-system:9090";
    public const string UpstreamLoadTester = "http://flagger-loadtester.test/";

    /// <summary>Files applied to a simulated cluster, in order (CRDs first).</summary>
    public static IReadOnlyList<string> SimulatorFiles(string repoRoot) =>
    [
        Path.Combine(repoRoot, "deploy", "crds", "canaries.yaml"),
        Path.Combine(repoRoot, "deploy", "crds", "metrictemplates.yaml"),
        Path.Combine(repoRoot, "deploy", "crds", "alertproviders.yaml"),
        .. Directory.GetFiles(Path.Combine(repoRoot, "deploy", "dev"), "*-crds.yaml").Order(StringComparer.Ordinal), // every provider's CRDs
        Path.Combine(repoRoot, "deploy", "dev", "podinfo.yaml"),
        Path.Combine(repoRoot, "deploy", "dev", "podinfo-canary.yaml"),
    ];

    /// <summary>Replaces upstream's in-cluster Prometheus and loadtester URLs with local ones.</summary>
    public static string Render(string yaml, string prometheusUrl, string loadTesterUrl) =>
        yaml.Replace(UpstreamPrometheus, prometheusUrl.TrimEnd('/'), StringComparison.Ordinal)
            .Replace(UpstreamLoadTester, loadTesterUrl.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Renders every file into <paramref name="outputDir"/> (same names) and returns the rendered paths.</summary>
    public static IReadOnlyList<string> RenderAll(IEnumerable<string> files, string outputDir, string prometheusUrl, string loadTesterUrl)
    {
        Directory.CreateDirectory(outputDir);
        var rendered = new List<string>();
        foreach (var file in files)
        {
            var target = Path.Combine(outputDir, Path.GetFileName(file));
            File.WriteAllText(target, Render(File.ReadAllText(file), prometheusUrl, loadTesterUrl));
            rendered.Add(target);
        }

        return rendered;
    }
}
