namespace Flagger.AppHost.Tests;

internal static class Repo
{
    /// <summary>The repository root (the folder holding Flagger.sln), found upwards from the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flagger.sln not found above " + AppContext.BaseDirectory);
    }
}
