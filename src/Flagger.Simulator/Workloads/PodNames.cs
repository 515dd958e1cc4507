using System.Text;
using System.Text.Json.Nodes;

namespace Flagger.Simulator.Workloads;

/// <summary>Stable ReplicaSet hashes and pod names derived from a pod template, like <c>podinfo-7d9f8c6b5-x2x4q</c>.</summary>
internal static class PodNames
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string TemplateHash(JsonNode? template)
    {
        var hash = Fnv(template?.ToJsonString() ?? "");
        var sb = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            sb.Append(Alphabet[(int)(hash % (ulong)Alphabet.Length)]);
            hash /= (ulong)Alphabet.Length;
        }

        return sb.ToString();
    }

    public static string PodName(string workload, JsonNode? template)
    {
        var hash = TemplateHash(template);
        return $"{workload}-{hash}-{hash[..5]}";
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}
