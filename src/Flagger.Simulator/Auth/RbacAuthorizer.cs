using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Auth;

/// <summary>The attributes an authorizer decides on; Path is set for non-resource requests only.</summary>
internal sealed record RequestAttributes(string Verb, string Group, string Resource, string Subresource, string Namespace, string Name, string Path = "");

/// <summary>
/// RBAC as the API server's authorizer evaluates it, over the Roles, ClusterRoles and bindings stored in the
/// simulator: <c>system:masters</c> may do anything; otherwise a ClusterRoleBinding grants its ClusterRole's rules
/// everywhere and a RoleBinding grants its Role's (or ClusterRole's) rules in its namespace. Discovery, OpenAPI and
/// <c>/version</c> are open to authenticated users and health and version to everyone, as the bootstrap
/// <c>system:discovery</c> and <c>system:public-info-viewer</c> roles make them.
/// </summary>
// upstream: kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go and pkg/apis/rbac/v1/evaluation_helpers.go
internal sealed class RbacAuthorizer(ClusterStore store)
{
    private static readonly string[] PublicPaths = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    private static readonly string[] DiscoveryPaths = ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/"];

    public bool Allows(UserInfo user, RequestAttributes request)
    {
        if (user.Groups.Contains("system:masters"))
        {
            return true;
        }

        if (request.Path.Length > 0 && (PublicPaths.Contains(request.Path) ||
            (user.Groups.Contains("system:authenticated") && DiscoveryPaths.Any(p => PathMatches(p, request.Path)))))
        {
            return true;
        }

        return store.Read(() => Rules(user, request.Namespace).Any(rule => RuleAllows(rule, request)));
    }

    /// <summary>The forbidden Status text of the API server (responsewriters.forbiddenMessage inside NewForbidden).</summary>
    public static ApiException Forbidden(UserInfo user, RequestAttributes request)
    {
        if (request.Path.Length > 0)
        {
            return new ApiException(403, "Forbidden", $"forbidden: User \"{user.Name}\" cannot {request.Verb} path \"{request.Path}\"");
        }

        var resource = request.Subresource.Length > 0 ? request.Resource + "/" + request.Subresource : request.Resource;
        var scope = request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope";
        var why = $"User \"{user.Name}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.Group}\" {scope}";
        var qualified = request.Group.Length > 0 ? request.Resource + "." + request.Group : request.Resource;
        var message = request.Name.Length > 0 ? $"{qualified} \"{request.Name}\" is forbidden: {why}" : $"{qualified} is forbidden: {why}";
        return new ApiException(403, "Forbidden", message,
            new JsonObject { ["name"] = request.Name.Length > 0 ? request.Name : null, ["group"] = request.Group, ["kind"] = request.Resource });
    }

    private IEnumerable<JsonObject> Rules(UserInfo user, string ns)
    {
        var all = LabelSelector.Everything;
        var none = FieldSelector.Everything;
        foreach (var binding in store.List(BuiltinTypes.ClusterRoleBindings, null, all, none).Items.Where(b => Binds(b.Node, user, null)))
        {
            foreach (var rule in RoleRules(binding.Node, null))
            {
                yield return rule;
            }
        }

        if (ns.Length == 0)
        {
            yield break;
        }

        foreach (var binding in store.List(BuiltinTypes.RoleBindings, ns, all, none).Items.Where(b => Binds(b.Node, user, ns)))
        {
            foreach (var rule in RoleRules(binding.Node, ns))
            {
                yield return rule;
            }
        }
    }

    private IEnumerable<JsonObject> RoleRules(JsonObject binding, string? ns)
    {
        var kind = (string?)binding["roleRef"]?["kind"];
        var name = (string?)binding["roleRef"]?["name"] ?? "";
        var role = kind switch
        {
            "ClusterRole" => store.TryGet(BuiltinTypes.ClusterRoles, null, name),
            "Role" when ns is not null => store.TryGet(BuiltinTypes.Roles, ns, name),
            _ => null,
        };
        return (role?.Node["rules"] as JsonArray ?? []).OfType<JsonObject>();
    }

    private static bool Binds(JsonObject binding, UserInfo user, string? bindingNamespace) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject => (string?)subject["kind"] switch
        {
            "User" => (string?)subject["name"] == user.Name,
            "Group" => user.Groups.Contains((string?)subject["name"] ?? ""),
            "ServiceAccount" => user.Name == $"system:serviceaccount:{(string?)subject["namespace"] ?? bindingNamespace}:{(string?)subject["name"]}",
            _ => false,
        });

    private static bool RuleAllows(JsonObject rule, RequestAttributes request)
    {
        if (!Has(rule["verbs"], request.Verb))
        {
            return false;
        }

        if (request.Path.Length > 0)
        {
            return (rule["nonResourceURLs"] as JsonArray ?? []).Select(u => (string?)u ?? "").Any(u => PathMatches(u, request.Path));
        }

        var combined = request.Subresource.Length > 0 ? request.Resource + "/" + request.Subresource : request.Resource;
        var resources = (rule["resources"] as JsonArray ?? []).Select(r => (string?)r ?? "").ToList();
        var resourceMatches = resources.Any(r => r == "*" || r == combined ||
            (request.Subresource.Length > 0 && (r == "*/" + request.Subresource || r == request.Resource + "/*")));
        if (!Has(rule["apiGroups"], request.Group) || !resourceMatches)
        {
            return false;
        }

        var names = (rule["resourceNames"] as JsonArray ?? []).Select(n => (string?)n ?? "").ToList();
        return names.Count == 0 || (request.Name.Length > 0 && names.Contains(request.Name));
    }

    private static bool Has(JsonNode? list, string value) =>
        (list as JsonArray ?? []).Select(v => (string?)v).Any(v => v == "*" || v == value);

    private static bool PathMatches(string pattern, string path) =>
        pattern == "*" || pattern == path || (pattern.EndsWith('*') && path.StartsWith(pattern[..^1], StringComparison.Ordinal));
}
