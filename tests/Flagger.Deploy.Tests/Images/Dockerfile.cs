using System.Text.Json;
using System.Text.RegularExpressions;

namespace Flagger.Deploy.Tests.Images;

/// <summary>One instruction of a Dockerfile, continuation lines joined, build args substituted.</summary>
internal sealed record Instruction(int Line, string Keyword, string Arguments);

/// <summary>One build stage: its base image, optional name and instructions.</summary>
internal sealed record Stage(int Index, string BaseImage, string? Name, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<Instruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>The working directory in force at the end of the stage ("/" when never set).</summary>
    public string WorkDir => All("WORKDIR").Select(i => i.Arguments.Trim()).LastOrDefault() ?? "/";

    /// <summary>The text of every RUN of the stage, joined.</summary>
    public string RunText => string.Join("\n", All("RUN").Select(i => i.Arguments));
}

/// <summary>A COPY/ADD: its sources, destination and the stage it copies from (null = the build context).</summary>
internal sealed record CopyInstruction(int Line, string? From, IReadOnlyList<string> Sources, string Destination);

/// <summary>
/// A small Dockerfile reader, enough to check the images' structure without a container engine: stages, COPY
/// sources, the final stage's USER, EXPOSE, ENV and ENTRYPOINT. Global ARG defaults are substituted in FROM lines.
/// </summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static Dockerfile Load(string path) => Parse(File.ReadAllText(path));

    public static Dockerfile Parse(string text)
    {
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        string? baseImage = null, name = null;

        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is not null)
                {
                    stages.Add(new Stage(stages.Count, baseImage!, name, current));
                }
                var parts = Substitute(instruction.Arguments, globalArgs)
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(p => !p.StartsWith("--", StringComparison.Ordinal))
                    .ToArray();
                if (parts.Length == 0)
                {
                    throw new FormatException($"line {instruction.Line}: FROM without an image");
                }
                baseImage = parts[0];
                name = parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                current = [];
                continue;
            }
            if (current is null)
            {
                if (instruction.Keyword == "ARG")
                {
                    var arg = instruction.Arguments.Trim();
                    var eq = arg.IndexOf('=', StringComparison.Ordinal);
                    globalArgs[eq < 0 ? arg : arg[..eq]] = eq < 0 ? "" : arg[(eq + 1)..].Trim('"');
                    continue;
                }
                throw new FormatException($"line {instruction.Line}: {instruction.Keyword} before the first FROM");
            }
            current.Add(instruction);
        }
        if (current is null)
        {
            throw new FormatException("no FROM instruction");
        }
        stages.Add(new Stage(stages.Count, baseImage!, name, current));
        return new Dockerfile(stages);
    }

    /// <summary>The stage a <c>--from</c> value names (by name or index) among the stages before <paramref name="before"/>.</summary>
    public Stage? EarlierStage(string reference, int before) =>
        Stages.Take(before).FirstOrDefault(s =>
            string.Equals(s.Name, reference, StringComparison.OrdinalIgnoreCase)
            || s.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == reference);

    public static CopyInstruction ParseCopy(Instruction instruction)
    {
        string? from = null;
        var words = new List<string>();
        var args = instruction.Arguments.Trim();
        if (args.StartsWith('['))
        {
            words.AddRange(JsonSerializer.Deserialize<string[]>(args) ?? []);
        }
        else
        {
            foreach (var word in args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith("--from=", StringComparison.Ordinal))
                {
                    from = word["--from=".Length..];
                }
                else if (!word.StartsWith("--", StringComparison.Ordinal))
                {
                    words.Add(word);
                }
            }
        }
        if (words.Count < 2)
        {
            throw new FormatException($"line {instruction.Line}: {instruction.Keyword} needs a source and a destination");
        }
        return new CopyInstruction(instruction.Line, from, words[..^1], words[^1]);
    }

    /// <summary>The exec-form ENTRYPOINT of the final stage, or null when absent or in shell form.</summary>
    public IReadOnlyList<string>? Entrypoint
    {
        get
        {
            var entry = Final.All("ENTRYPOINT").LastOrDefault();
            if (entry is null || !entry.Arguments.TrimStart().StartsWith('['))
            {
                return null;
            }
            return JsonSerializer.Deserialize<string[]>(entry.Arguments);
        }
    }

    /// <summary>ENV of the final stage (both <c>K=V K2=V2</c> and <c>K V</c> forms).</summary>
    public IReadOnlyDictionary<string, string> FinalEnv
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var instruction in Final.All("ENV"))
            {
                var args = instruction.Arguments.Trim();
                if (!args.Contains('=', StringComparison.Ordinal))
                {
                    var space = args.IndexOf(' ', StringComparison.Ordinal);
                    env[args[..space]] = args[(space + 1)..].Trim();
                    continue;
                }
                foreach (Match m in EnvPair().Matches(args))
                {
                    env[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
                }
            }
            return env;
        }
    }

    private static IEnumerable<Instruction> Instructions(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var buffer = new System.Text.StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith('#') || (trimmed.Length == 0 && buffer.Length == 0))
            {
                continue;
            }
            if (buffer.Length == 0)
            {
                start = i + 1;
            }
            if (trimmed.EndsWith('\\'))
            {
                buffer.Append(trimmed[..^1]).Append(' ');
                continue;
            }
            buffer.Append(trimmed);
            var full = buffer.ToString().Trim();
            buffer.Clear();
            if (full.Length == 0)
            {
                continue;
            }
            var space = full.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0
                ? new Instruction(start, full.ToUpperInvariant(), "")
                : new Instruction(start, full[..space].ToUpperInvariant(), full[(space + 1)..].Trim());
        }
    }

    private static string Substitute(string text, IReadOnlyDictionary<string, string> args) =>
        ArgReference().Replace(text, m =>
        {
            var key = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return args.TryGetValue(key, out var value) ? value : m.Value;
        });

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ArgReference();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S*)")]
    private static partial Regex EnvPair();
}
