namespace Flagger.Deploy.Tests;

public sealed class ChartCrdsTests
{
    [Fact]
    public void The_charts_crds_folder_is_an_exact_copy_of_deploy_crds()
    {
        var source = RepoRoot.Combine("deploy", "crds");
        var chart = RepoRoot.Combine("charts", "flagger", "crds");
        if (!Directory.Exists(source))
        {
            Assert.Skip("deploy/crds is not in this tree yet (built in another branch); run eng/sync-chart-crds.sh once it is");
        }

        // eng/sync-chart-crds.sh copies the YAML files that hold a CRD (not a kustomization.yaml or README)
        var expected = Files(source, f =>
            (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            && File.ReadLines(f).Any(l => l.StartsWith("kind: CustomResourceDefinition", StringComparison.Ordinal)));
        var actual = Files(chart, f => Path.GetFileName(f) != ".gitkeep");

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected, kv => Assert.True(
            kv.Value.AsSpan().SequenceEqual(actual[kv.Key]),
            $"charts/flagger/crds/{kv.Key} differs from deploy/crds/{kv.Key}; run eng/sync-chart-crds.sh"));
    }

    [Fact]
    public void The_chart_ships_crds_only_through_its_crds_folder()
    {
        var templates = Directory.GetFiles(RepoRoot.Combine("charts", "flagger", "templates"));

        Assert.DoesNotContain(templates, t => File.ReadAllText(t).Contains("kind: CustomResourceDefinition", StringComparison.Ordinal));
        Assert.True(Directory.Exists(RepoRoot.Combine("charts", "flagger", "crds")));
    }

    private static SortedDictionary<string, byte[]> Files(string dir, Func<string, bool> include) =>
        new(Directory.GetFiles(dir)
                .Where(include)
                .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes),
            StringComparer.Ordinal);
}
