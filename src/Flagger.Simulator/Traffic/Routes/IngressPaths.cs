using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Traffic.Routes;

/// <summary>One <c>host</c> + <c>path</c> of an Ingress and the Service (and port) its backend names.</summary>
/// <param name="Host">The rule's host ("" for any host).</param>
/// <param name="Path">The path ("" when unset).</param>
/// <param name="Service">The backend Service.</param>
/// <param name="Port">The backend port, number or name ("" when unset).</param>
internal sealed record IngressPath(string Host, string Path, string Service, string Port);

/// <summary>What the ingress controllers read from <c>networking.k8s.io/v1</c> Ingresses: their class, paths and annotations.</summary>
internal static class IngressPaths
{
    private const string ClassAnnotation = "kubernetes.io/ingress.class";

    /// <summary>The Ingresses of controller class <paramref name="ingressClass"/> in <paramref name="ns"/>, by name.</summary>
    public static IEnumerable<StoredObject> OfClass(ClusterStore store, string ns, string ingressClass) =>
        store.Scan(BuiltinTypes.Ingresses, ns)
            .Where(i => !i.IsDeleting && ClassOf(i) == ingressClass)
            .OrderBy(i => i.Name, StringComparer.Ordinal);

    /// <summary><c>spec.ingressClassName</c>, else the legacy <c>kubernetes.io/ingress.class</c> annotation.</summary>
    public static string? ClassOf(StoredObject ingress) =>
        Str(ingress.Node["spec"]?["ingressClassName"]) ?? Annotation(ingress, ClassAnnotation);

    /// <summary>Every rule path with a Service backend, in order.</summary>
    public static IEnumerable<IngressPath> Of(StoredObject ingress)
    {
        foreach (var rule in (ingress.Node["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var path in (rule["http"]?["paths"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (path["backend"]?["service"] is JsonObject service && Str(service["name"]) is { } name)
                {
                    var port = service["port"]?["number"] is JsonValue n && n.TryGetValue<long>(out var number)
                        ? number.ToString(CultureInfo.InvariantCulture)
                        : Str(service["port"]?["name"]) ?? "";
                    yield return new IngressPath(Str(rule["host"]) ?? "", Str(path["path"]) ?? "", name, port);
                }
            }
        }
    }

    public static string? Annotation(StoredObject ingress, string key) => Str(ingress.Metadata["annotations"]?[key]);

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
