namespace Flagger.Deploy.Tests;

/// <summary>Paths inside the repository the tests run from (found by walking up to Flagger.sln).</summary>
internal static class RepoRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Flagger.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Path_ => Root.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root.Value, .. parts]);
}
