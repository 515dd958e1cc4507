namespace Flagger.Modules.Tests.Fixtures;

/// <summary>Locations in the repository and in the shared upstream reference data (which a fresh clone may lack).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "deploy", "crds");

    public static string ValidFixtures => Path.Combine(Root, "tests", "Flagger.Modules.Tests", "Fixtures", "Valid");

    public static string BrokenFixtures => Path.Combine(Root, "tests", "Flagger.Modules.Tests", "Fixtures", "Broken");

    /// <summary>Upstream Flagger's objects and validation tool, present on the project's machines, not in the repository.</summary>
    public static string UpstreamReference =>
        Environment.GetEnvironmentVariable("FLAGGER_UPSTREAM_REFERENCE") is { Length: > 0 } dir ? dir : "/work/shared";

    public static string UpstreamObjects => Path.Combine(UpstreamReference, "reference", "upstream", "objects");

    public static string CrdValidateTool => Path.Combine(UpstreamReference, "tools", "crd_validate.py");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Flagger.sln not found above {AppContext.BaseDirectory}");
    }
}
