namespace Flagger.Simulator.Tests;

/// <summary>Files of the repository (e.g. <c>deploy/dev/*-crds.yaml</c>) as the tests read them.</summary>
internal static class Repo
{
    public static string File(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }
}
