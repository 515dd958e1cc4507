using System.Text.Json.Nodes;

namespace Flagger.Simulator.Store;

/// <summary>
/// Structural type schemas for the fields of built-in kinds the simulator reads: a wrongly typed field is a 4xx
/// naming it (like the real server's decoder), never a crash later. Unknown fields are kept.
/// </summary>
internal static class BuiltinSchemas
{
    private const string Str = """{"type":"string"}""";
    private const string Int = """{"type":"integer"}""";
    private const string Bool = """{"type":"boolean"}""";
    private const string IntOrString = """{"x-kubernetes-int-or-string":true}""";
    private const string StrMap = """{"type":"object","additionalProperties":{"type":"string"}}""";
    private const string Obj = """{"type":"object","x-kubernetes-preserve-unknown-fields":true}""";

    private static string Open(string properties) => "{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true,\"properties\":{" + properties + "}}";

    private static string List(string items) => "{\"type\":\"array\",\"items\":" + items + "}";

    private static readonly string Meta = Open($"\"labels\":{StrMap},\"annotations\":{StrMap}");

    private static readonly string Container = Open(
        $"\"name\":{Str},\"image\":{Str},\"args\":{List(Str)},\"command\":{List(Str)}," +
        $"\"ports\":{List(Open($"\"containerPort\":{Int},\"name\":{Str},\"protocol\":{Str},\"hostPort\":{Int}"))}," +
        $"\"env\":{List(Open($"\"name\":{Str},\"value\":{Str}"))}," +
        $"\"volumeMounts\":{List(Open($"\"name\":{Str},\"mountPath\":{Str},\"readOnly\":{Bool}"))}");

    private static readonly string PodSpec = Open(
        $"\"containers\":{List(Container)},\"initContainers\":{List(Container)},\"volumes\":{List(Open($"\"name\":{Str}"))}," +
        $"\"serviceAccountName\":{Str},\"nodeSelector\":{StrMap},\"terminationGracePeriodSeconds\":{Int}");

    private static readonly string Selector = Open($"\"matchLabels\":{StrMap},\"matchExpressions\":{List(Open($"\"key\":{Str},\"operator\":{Str},\"values\":{List(Str)}"))}");

    private static readonly string Strategy = Open($"\"type\":{Str},\"rollingUpdate\":{Open($"\"maxUnavailable\":{IntOrString},\"maxSurge\":{IntOrString}")}");

    private static readonly string Workload = Open(
        "\"spec\":" + Open(
            $"\"replicas\":{Int},\"progressDeadlineSeconds\":{Int},\"revisionHistoryLimit\":{Int},\"minReadySeconds\":{Int},\"paused\":{Bool}," +
            $"\"selector\":{Selector},\"strategy\":{Strategy},\"updateStrategy\":{Strategy},\"template\":{Open($"\"metadata\":{Meta},\"spec\":{PodSpec}")}") +
        ",\"status\":" + Obj);

    private static readonly string IngressBackend = Open(
        $"\"service\":{Open($"\"name\":{Str},\"port\":{Open($"\"name\":{Str},\"number\":{Int}")}")},\"resource\":{Open($"\"apiGroup\":{Str},\"kind\":{Str},\"name\":{Str}")}");

    private static readonly string IngressSpec = Open(
        $"\"ingressClassName\":{Str},\"defaultBackend\":{IngressBackend},\"tls\":{List(Open($"\"hosts\":{List(Str)},\"secretName\":{Str}"))}," +
        $"\"rules\":{List(Open($"\"host\":{Str},\"http\":{Open($"\"paths\":{List(Open($"\"path\":{Str},\"pathType\":{Str},\"backend\":{IngressBackend}"))}")}"))}");

    private static readonly Dictionary<string, JsonObject> Schemas = new()
    {
        ["Deployment"] = Parse(Workload),
        ["DaemonSet"] = Parse(Workload),
        ["ReplicaSet"] = Parse(Workload),
        ["Service"] = Parse(Open($"\"spec\":{Open($"\"type\":{Str},\"clusterIP\":{Str},\"clusterIPs\":{List(Str)},\"selector\":{StrMap},\"sessionAffinity\":{Str},\"externalName\":{Str},\"ports\":{List(Open($"\"name\":{Str},\"port\":{Int},\"protocol\":{Str},\"targetPort\":{IntOrString},\"nodePort\":{Int},\"appProtocol\":{Str}"))}")},\"status\":{Obj}")),
        ["ConfigMap"] = Parse(Open($"\"data\":{StrMap},\"binaryData\":{StrMap},\"immutable\":{Bool}")),
        ["Secret"] = Parse(Open($"\"data\":{StrMap},\"stringData\":{StrMap},\"type\":{Str},\"immutable\":{Bool}")),
        ["Event"] = Parse(Open($"\"involvedObject\":{Open($"\"kind\":{Str},\"name\":{Str},\"namespace\":{Str},\"uid\":{Str},\"apiVersion\":{Str}")},\"reason\":{Str},\"message\":{Str},\"type\":{Str},\"count\":{Int},\"source\":{Open($"\"component\":{Str},\"host\":{Str}")}")),
        ["Lease"] = Parse(Open($"\"spec\":{Open($"\"holderIdentity\":{Str},\"leaseDurationSeconds\":{Int},\"leaseTransitions\":{Int},\"acquireTime\":{Str},\"renewTime\":{Str}")}")),
        ["HorizontalPodAutoscaler"] = Parse(Open($"\"spec\":{Open($"\"scaleTargetRef\":{Open($"\"kind\":{Str},\"name\":{Str},\"apiVersion\":{Str}")},\"minReplicas\":{Int},\"maxReplicas\":{Int},\"metrics\":{List(Obj)}")},\"status\":{Obj}")),
        ["Ingress"] = Parse(Open($"\"spec\":{IngressSpec},\"status\":{Obj}")),
        ["Namespace"] = Parse(Open($"\"spec\":{Open($"\"finalizers\":{List(Str)}")},\"status\":{Obj}")),
        ["Pod"] = Parse(Open($"\"spec\":{PodSpec},\"status\":{Obj}")),
        ["CustomResourceDefinition"] = Parse(Open($"\"spec\":{Open(
            $"\"group\":{Str},\"scope\":{Str}," +
            $"\"names\":{Open($"\"plural\":{Str},\"singular\":{Str},\"kind\":{Str},\"listKind\":{Str},\"shortNames\":{List(Str)},\"categories\":{List(Str)}")}," +
            $"\"versions\":{List(Open($"\"name\":{Str},\"served\":{Bool},\"storage\":{Bool},\"schema\":{Open($"\"openAPIV3Schema\":{Obj}")},\"subresources\":{Obj}," +
                $"\"additionalPrinterColumns\":{List(Open($"\"name\":{Str},\"type\":{Str},\"jsonPath\":{Str},\"priority\":{Int},\"format\":{Str},\"description\":{Str}"))}"))}")},\"status\":{Obj}")),
    };

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>The type schema of a built-in kind, or null.</summary>
    public static JsonObject? For(string kind) => Schemas.GetValueOrDefault(kind);
}
