using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Flagger.Deploy.Tests.Helm;

/// <summary>Rendered Kubernetes objects (multi-document YAML) as JSON nodes; scalars stay strings.</summary>
internal sealed class Manifests(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public static Manifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new Parser(new StringReader(yaml)));
        var objects = stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
        return new Manifests(objects);
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind) => Assert.Single(OfKind(kind));

    public JsonObject Single(string kind, string name) =>
        Assert.Single(OfKind(kind), o => (string?)o["metadata"]!["name"] == name);

    /// <summary>The first container of the single Deployment.</summary>
    public JsonObject Container => (JsonObject)Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    public IReadOnlyList<string> Args => Container["args"]!.AsArray().Select(a => (string)a!).ToList();

    public JsonObject PodSpec => (JsonObject)Single("Deployment")["spec"]!["template"]!["spec"]!;

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "null" or "~" or "" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
