using System.Text.Json.Nodes;
using Flagger.Deploy.Tests.Helm;
using Flagger.Simulator.Control;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// The permissions of a rendered ClusterRole and Roles, expanded to single grants, and an authorizer with the
/// semantics of Kubernetes RBAC for the rules the chart writes (no wildcards there, so none here):
/// a grant matches a request when verb, API group and resource (<c>plural</c> or <c>plural/subresource</c>) are equal,
/// its resourceNames (if any) contain the request's object name (so a create, which has no name yet, needs a grant
/// without resourceNames), and, for a Role, the request is in the Role's namespace. Non-resource URLs match by path.
/// </summary>
internal sealed class RbacPolicy
{
    private readonly List<Grant> _grants;
    private readonly HashSet<Grant> _used = [];

    private RbacPolicy(List<Grant> grants) => _grants = grants;

    /// <summary>One permission: "ClusterRole apps/deployments create", "Role(ns) coordination.k8s.io/leases get [name]", "ClusterRole GET /version".</summary>
    public sealed record Grant(string? Namespace, string Group, string Resource, string Verb, string ResourceName, string NonResourceUrl)
    {
        public override string ToString() =>
            (Namespace is null ? "ClusterRole " : $"Role({Namespace}) ") +
            (NonResourceUrl.Length > 0
                ? $"{Verb} {NonResourceUrl}"
                : $"{(Group.Length == 0 ? "core" : Group)}/{Resource} {Verb}{(ResourceName.Length > 0 ? $" [{ResourceName}]" : "")}");
    }

    public IReadOnlyList<Grant> Grants => _grants;

    public static RbacPolicy From(Manifests rendered)
    {
        var grants = new List<Grant>();
        foreach (var role in rendered.OfKind("ClusterRole"))
        {
            grants.AddRange(Expand(role, null));
        }

        foreach (var role in rendered.OfKind("Role"))
        {
            grants.AddRange(Expand(role, (string)role["metadata"]!["namespace"]!));
        }

        return new RbacPolicy(grants);
    }

    /// <summary>Whether a grant allows the request; every grant that does is marked used.</summary>
    public bool Allows(ApiRequest request)
    {
        var matching = _grants.Where(g => Matches(g, request)).ToList();
        _used.UnionWith(matching);
        return matching.Count > 0;
    }

    public IReadOnlyList<string> Unused() =>
        _grants.Where(g => !_used.Contains(g)).Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList();

    public static string Describe(ApiRequest r) =>
        r.NonResourcePath.Length > 0
            ? $"{r.Verb} {r.NonResourcePath}"
            : $"{r.Verb} {(r.Group.Length == 0 ? "core" : r.Group)}/{r.Resource}{(r.Subresource.Length > 0 ? "/" + r.Subresource : "")}" +
              $"{(r.Namespace.Length > 0 ? $" in {r.Namespace}" : " (cluster)")}{(r.Name.Length > 0 ? $" name {r.Name}" : "")}";

    private static bool Matches(Grant g, ApiRequest r)
    {
        if (g.Verb != r.Verb)
        {
            return false;
        }

        if (r.NonResourcePath.Length > 0 || g.NonResourceUrl.Length > 0)
        {
            return g.Namespace is null && g.NonResourceUrl == r.NonResourcePath;
        }

        var resource = r.Subresource.Length > 0 ? r.Resource + "/" + r.Subresource : r.Resource;
        return g.Group == r.Group && g.Resource == resource
            && (g.ResourceName.Length == 0 || g.ResourceName == r.Name)
            && (g.Namespace is null || g.Namespace == r.Namespace);
    }

    private static IEnumerable<Grant> Expand(JsonObject role, string? ns)
    {
        foreach (var rule in role["rules"]!.AsArray().Select(r => (JsonObject)r!))
        {
            var verbs = Strings(rule["verbs"]).ToList();
            Assert.DoesNotContain("*", verbs);
            var names = Strings(rule["resourceNames"]).DefaultIfEmpty("").ToList();
            foreach (var url in Strings(rule["nonResourceURLs"]))
            {
                foreach (var verb in verbs)
                {
                    yield return new Grant(ns, "", "", verb, "", url);
                }
            }

            foreach (var group in Strings(rule["apiGroups"]))
            {
                foreach (var resource in Strings(rule["resources"]))
                {
                    Assert.DoesNotContain("*", resource, StringComparison.Ordinal);
                    foreach (var verb in verbs)
                    {
                        foreach (var name in names)
                        {
                            yield return new Grant(ns, group, resource, verb, name, "");
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => (string?)n ?? "") : [];
}
