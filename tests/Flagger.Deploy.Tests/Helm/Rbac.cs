using System.Text.Json.Nodes;

namespace Flagger.Deploy.Tests.Helm;

/// <summary>Flattens a (Cluster)Role's rules to sorted "group|resource|resourceNames|verbs" lines for exact comparison.</summary>
internal static class Rbac
{
    public static IReadOnlyList<string> Rules(JsonObject role)
    {
        var lines = new List<string>();
        foreach (var rule in role["rules"]!.AsArray().Select(r => (JsonObject)r!))
        {
            var verbs = string.Join(',', Strings(rule["verbs"]).Order(StringComparer.Ordinal));
            var names = string.Join(',', Strings(rule["resourceNames"]).Order(StringComparer.Ordinal));
            foreach (var url in Strings(rule["nonResourceURLs"]))
            {
                lines.Add($"nonResourceURL|{url}|{names}|{verbs}");
            }
            foreach (var group in Strings(rule["apiGroups"]))
            {
                lines.AddRange(Strings(rule["resources"]).Select(resource => $"{group}|{resource}|{names}|{verbs}"));
            }
        }
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => (string?)n ?? "") : [];
}
