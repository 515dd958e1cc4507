using System.Text.RegularExpressions;

namespace Flagger.Deploy.Tests.Images;

/// <summary>
/// Structural checks of a Dockerfile that need no container engine: every COPY source exists (in the build
/// context, i.e. the repository, and not excluded by .dockerignore) or is produced by an earlier stage.
/// </summary>
internal static class ImageChecks
{
    public static IReadOnlyList<string> Problems(Dockerfile dockerfile, string contextRoot)
    {
        var problems = new List<string>();
        var ignored = IgnoredPrefixes(contextRoot);
        foreach (var stage in dockerfile.Stages)
        {
            foreach (var instruction in stage.Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
            {
                var copy = Dockerfile.ParseCopy(instruction);
                if (copy.From is not null)
                {
                    var source = dockerfile.EarlierStage(copy.From, stage.Index);
                    if (source is null)
                    {
                        problems.Add($"line {copy.Line}: COPY --from={copy.From} names no earlier stage");
                        continue;
                    }
                    problems.AddRange(copy.Sources
                        .Where(path => !Produces(source, path))
                        .Select(path => $"line {copy.Line}: {path} is not produced by stage '{copy.From}'"));
                    continue;
                }
                foreach (var path in copy.Sources)
                {
                    if (path.StartsWith("http://", StringComparison.Ordinal) || path.StartsWith("https://", StringComparison.Ordinal))
                    {
                        problems.Add($"line {copy.Line}: {path} is downloaded at build time without a checksum; use a RUN with sha256sum");
                        continue;
                    }
                    var relative = path.TrimEnd('/');
                    var full = Path.Combine(contextRoot, relative);
                    if (!File.Exists(full) && !Directory.Exists(full))
                    {
                        problems.Add($"line {copy.Line}: {path} does not exist in the build context");
                    }
                    else if (ignored.FirstOrDefault(p => (relative + "/").StartsWith(p, StringComparison.Ordinal)) is { } rule)
                    {
                        problems.Add($"line {copy.Line}: {path} is excluded by .dockerignore ({rule})");
                    }
                }
            }
        }
        return problems;
    }

    /// <summary>
    /// Whether a stage's RUN steps name the absolute <paramref name="path"/>: as an output (<c>-o /app</c>) or, under the
    /// stage's WORKDIR, as the relative file a command writes (<c>curl -o kubectl</c>).
    /// </summary>
    public static bool Produces(Stage stage, string path)
    {
        var normalized = path.TrimEnd('/');
        var workDir = stage.WorkDir.TrimEnd('/');
        var candidates = new List<string> { normalized };
        if (workDir.Length > 0 && normalized.StartsWith(workDir + "/", StringComparison.Ordinal))
        {
            candidates.Add(normalized[(workDir.Length + 1)..]);
        }
        return candidates.Any(c => Regex.IsMatch(stage.RunText, $@"(?<![\w./-]){Regex.Escape(c)}(?![\w.-])"));
    }

    private static List<string> IgnoredPrefixes(string contextRoot)
    {
        var file = Path.Combine(contextRoot, ".dockerignore");
        if (!File.Exists(file))
        {
            return [];
        }
        return File.ReadAllLines(file)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('!') && !l.Contains('*', StringComparison.Ordinal))
            .Select(l => l.TrimStart('/').TrimEnd('/') + "/")
            .ToList();
    }
}
