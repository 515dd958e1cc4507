using System.Text.Json.Nodes;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Api;

/// <summary>
/// Per group-version OpenAPI v3 documents: the paths (with the <c>fieldValidation</c> parameter kubectl probes for)
/// and, for custom resources, the CRD's structural schema tagged with its group-version-kind.
/// </summary>
internal static class OpenApi
{
    public static JsonObject? GroupVersionDocument(IReadOnlyList<ResourceType> types, string gvPath)
    {
        string group;
        string version;
        var parts = gvPath.Split('/');
        if (parts is ["api", var v])
        {
            group = "";
            version = v;
        }
        else if (parts is ["apis", var g, var v2])
        {
            group = g;
            version = v2;
        }
        else
        {
            return null;
        }

        var inGv = types.Where(t => t.Group == group && t.Versions.Contains(version)).ToList();
        if (inGv.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        var prefix = group.Length == 0 ? "/api/" + version : "/apis/" + group + "/" + version;
        foreach (var t in inGv)
        {
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind };
            var schemaName = SchemaName(t, version);
            var itemPath = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            var collectionPath = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}" : $"{prefix}/{t.Plural}";
            paths[itemPath] = new JsonObject
            {
                ["get"] = Operation("read", t, gvk),
                ["put"] = Operation("replace", t, gvk),
                ["patch"] = Operation("patch", t, gvk),
                ["delete"] = Operation("delete", t, gvk),
            };
            paths[collectionPath] = new JsonObject
            {
                ["get"] = Operation("list", t, gvk),
                ["post"] = Operation("create", t, gvk),
            };
            if (t.IsCustom && t.Schemas.TryGetValue(version, out var schema))
            {
                var copy = (JsonObject)schema.DeepClone();
                copy["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
                schemas[schemaName] = copy;
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static string SchemaName(ResourceType t, string version)
    {
        var reversed = string.Join('.', t.Group.Split('.').Reverse());
        return $"{reversed}.{version}.{t.Kind}";
    }

    private static JsonObject Operation(string action, ResourceType t, JsonObject gvk) => new()
    {
        ["operationId"] = action + t.Kind,
        ["parameters"] = new JsonArray(
            new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
            new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
            new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
        ["responses"] = new JsonObject(),
        ["x-kubernetes-action"] = action,
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
    };
}
