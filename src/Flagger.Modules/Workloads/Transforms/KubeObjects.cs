using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>Small helpers over Kubernetes models: deep clone, canonical JSON, owner references.</summary>
internal static class KubeObjects
{
    public const string PrimarySuffix = "-primary";

    /// <summary>Deep copy through the Kubernetes JSON serializer (cached objects are shared and must not be mutated).</summary>
    public static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    /// <summary>
    /// JSON with object keys sorted (ordinal) and null members dropped, so that equal content always gives equal text
    /// regardless of dictionary order or unset-vs-null. Empty objects and arrays are kept (<c>emptyDir: {}</c> matters).
    /// </summary>
    public static string CanonicalJson(object? obj)
    {
        var node = obj is null ? null : JsonNode.Parse(KubernetesJson.Serialize(obj));
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>Hex of the first 8 bytes of SHA-256 of <paramref name="text"/> (UTF-8).</summary>
    public static string ShortSha256(string text) => ShortSha256(Encoding.UTF8.GetBytes(text));

    /// <summary>Hex of the first 8 bytes of SHA-256 of <paramref name="bytes"/>.</summary>
    public static string ShortSha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));

    /// <summary>A Kubernetes timestamp as an instant; unset is the distant past (Go's zero time).</summary>
    public static DateTimeOffset ToInstant(DateTime? time) => time switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Local } t => new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero),
        { } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeSpan.Zero),
    };

    public static bool SameContent(object? a, object? b) => CanonicalJson(a) == CanonicalJson(b);

    /// <summary>The controller owner reference to the canary, as upstream's <c>metav1.NewControllerRef</c>.</summary>
    public static V1OwnerReference ControllerRef(Canary canary) => new()
    {
        ApiVersion = FlaggerApi.GroupVersion,
        Kind = Canary.KubeKind,
        Name = canary.Metadata.Name,
        Uid = canary.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in obj.Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(sb, value);
                }

                sb.Append('}');
                break;
            case JsonArray arr:
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, arr[i]);
                }

                sb.Append(']');
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }
}
