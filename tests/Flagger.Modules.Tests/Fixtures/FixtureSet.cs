using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using k8s;

namespace Flagger.Modules.Tests.Fixtures;

/// <summary>
/// The YAML fixtures under <c>Fixtures/Valid</c> (realistic objects, one or more documents per file) and
/// <c>Fixtures/Broken</c> (one object per file, with the expected errors in leading comments:
/// <c># expect-schema: &lt;field path&gt;[: &lt;message part&gt;]</c>, <c># expect: &lt;exact validator error&gt;</c>,
/// <c># options: noCrossNamespaceRefs</c>).
/// </summary>
internal static class FixtureSet
{
    private static readonly Lazy<IReadOnlyDictionary<string, Fixture>> Valid = new(() => Load(RepoPaths.ValidFixtures));
    private static readonly Lazy<IReadOnlyDictionary<string, Fixture>> Broken = new(() => Load(RepoPaths.BrokenFixtures));

    public static IReadOnlyDictionary<string, Fixture> ValidFixtures => Valid.Value;

    public static IReadOnlyDictionary<string, Fixture> BrokenFixtures => Broken.Value;

    public static TheoryData<string> ValidIds() => [.. ValidFixtures.Keys];

    public static TheoryData<string> BrokenIds() => [.. BrokenFixtures.Keys];

    private static IReadOnlyDictionary<string, Fixture> Load(string directory)
    {
        var result = new SortedDictionary<string, Fixture>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(directory, "*.yaml"))
        {
            var docs = Yaml.ReadDocuments(File.ReadAllText(file));
            for (var i = 0; i < docs.Count; i++)
            {
                var json = docs[i].Json ?? throw new InvalidOperationException($"{file}: empty document {i}");
                var id = docs.Count == 1 ? Path.GetFileNameWithoutExtension(file) : $"{Path.GetFileNameWithoutExtension(file)}#{i}:{(string?)json["metadata"]?["name"]}";
                result[id] = new Fixture(id, json, docs[i].Comments);
            }
        }

        return result;
    }
}

/// <summary>One fixture object.</summary>
internal sealed record Fixture(string Id, JsonNode Json, IReadOnlyList<string> Comments)
{
    public string Kind => (string?)Json["kind"] ?? "";

    public IEnumerable<string> ExpectedValidatorErrors => Values("expect:");

    public IEnumerable<string> ExpectedSchemaErrors => Values("expect-schema:");

    public ValidationOptions Options => new(NoCrossNamespaceRefs: Values("options:").Any(o => o.Contains("noCrossNamespaceRefs", StringComparison.Ordinal)));

    /// <summary>Deserializes the fixture into its C# type, as the operator would from the API server's JSON.</summary>
    public object ToTyped() => Kind switch
    {
        "Canary" => KubernetesJson.Deserialize<Canary>(Json.ToJsonString()),
        "MetricTemplate" => KubernetesJson.Deserialize<MetricTemplate>(Json.ToJsonString()),
        "AlertProvider" => KubernetesJson.Deserialize<AlertProvider>(Json.ToJsonString()),
        _ => throw new InvalidOperationException($"{Id}: unexpected kind {Kind}"),
    };

    public IReadOnlyList<ValidationError> Validate() => ToTyped() switch
    {
        Canary canary => CanaryValidator.Validate(canary, Options),
        MetricTemplate template => CanaryValidator.Validate(template),
        AlertProvider provider => CanaryValidator.Validate(provider),
        _ => throw new InvalidOperationException(Id),
    };

    private IEnumerable<string> Values(string prefix) =>
        Comments.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).Select(c => c[prefix.Length..].Trim());
}
