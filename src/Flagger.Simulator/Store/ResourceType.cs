using System.Text.Json.Nodes;

namespace Flagger.Simulator.Store;

/// <summary>One additional printer column of a resource (CRD <c>additionalPrinterColumns</c>).</summary>
internal sealed record PrinterColumn(string Name, string Type, string JsonPath, int Priority, string? Format, string? Description);

/// <summary>A served kind: group, versions, names, scope and the capabilities the API server exposes for it.</summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }
    public required IReadOnlyList<string> Versions { get; init; }
    public required string StorageVersion { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required string Kind { get; init; }
    public required bool Namespaced { get; init; }
    public bool HasStatus { get; init; }
    public bool HasScale { get; init; }
    public bool TracksGeneration { get; init; }
    public bool IsCustom { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>openAPIV3Schema per version (custom resources only), used for defaults.</summary>
    public IReadOnlyDictionary<string, JsonObject> Schemas { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary>Field selectors this kind accepts beyond metadata.name / metadata.namespace.</summary>
    public IReadOnlyList<string> ExtraFieldSelectors { get; init; } = [];

    public string Key => Group + "/" + Plural;

    public string ListKind => Kind + "List";

    public string ApiVersionFor(string version) => Group.Length == 0 ? version : Group + "/" + version;

    public string GroupResource => Group.Length == 0 ? Plural : Plural + "." + Group;
}

/// <summary>The built-in kinds the simulator serves before any CRD is installed.</summary>
internal static class BuiltinTypes
{
    private static readonly string[] EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    public static readonly ResourceType Namespaces = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "namespaces", Singular = "namespace", Kind = "Namespace",
        Namespaced = false, HasStatus = true, ShortNames = ["ns"], ExtraFieldSelectors = ["status.phase"],
    };

    public static readonly ResourceType Services = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "services", Singular = "service", Kind = "Service",
        Namespaced = true, HasStatus = true, ShortNames = ["svc"], Categories = ["all"],
    };

    public static readonly ResourceType ConfigMaps = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "configmaps", Singular = "configmap", Kind = "ConfigMap",
        Namespaced = true, ShortNames = ["cm"],
    };

    public static readonly ResourceType Secrets = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "secrets", Singular = "secret", Kind = "Secret",
        Namespaced = true, ExtraFieldSelectors = ["type"],
    };

    public static readonly ResourceType Events = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "events", Singular = "event", Kind = "Event",
        Namespaced = true, ShortNames = ["ev"], ExtraFieldSelectors = EventFields,
    };

    public static readonly ResourceType Pods = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "pods", Singular = "pod", Kind = "Pod",
        Namespaced = true, HasStatus = true, ShortNames = ["po"], Categories = ["all"],
        ExtraFieldSelectors = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
    };

    public static readonly ResourceType Nodes = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "nodes", Singular = "node", Kind = "Node",
        Namespaced = false, HasStatus = true, ShortNames = ["no"], ExtraFieldSelectors = ["spec.unschedulable"],
    };

    public static readonly ResourceType Deployments = new()
    {
        Group = "apps", Versions = ["v1"], StorageVersion = "v1", Plural = "deployments", Singular = "deployment", Kind = "Deployment",
        Namespaced = true, HasStatus = true, HasScale = true, TracksGeneration = true, ShortNames = ["deploy"], Categories = ["all"],
    };

    public static readonly ResourceType DaemonSets = new()
    {
        Group = "apps", Versions = ["v1"], StorageVersion = "v1", Plural = "daemonsets", Singular = "daemonset", Kind = "DaemonSet",
        Namespaced = true, HasStatus = true, TracksGeneration = true, ShortNames = ["ds"], Categories = ["all"],
    };

    public static readonly ResourceType ReplicaSets = new()
    {
        Group = "apps", Versions = ["v1"], StorageVersion = "v1", Plural = "replicasets", Singular = "replicaset", Kind = "ReplicaSet",
        Namespaced = true, HasStatus = true, HasScale = true, TracksGeneration = true, ShortNames = ["rs"], Categories = ["all"],
    };

    // Stored with the API server's defaults (selector, labels); no controller runs their pods.
    public static readonly ResourceType Jobs = new()
    {
        Group = "batch", Versions = ["v1"], StorageVersion = "v1", Plural = "jobs", Singular = "job", Kind = "Job",
        Namespaced = true, HasStatus = true, TracksGeneration = true, Categories = ["all"],
    };

    public static readonly ResourceType HorizontalPodAutoscalers = new()
    {
        Group = "autoscaling", Versions = ["v2"], StorageVersion = "v2", Plural = "horizontalpodautoscalers", Singular = "horizontalpodautoscaler",
        Kind = "HorizontalPodAutoscaler", Namespaced = true, HasStatus = true, ShortNames = ["hpa"], Categories = ["all"],
    };

    public static readonly ResourceType Leases = new()
    {
        Group = "coordination.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "leases", Singular = "lease", Kind = "Lease",
        Namespaced = true,
    };

    // Served so rendered install manifests (ServiceAccount, RBAC, PodDisruptionBudget) apply as on a real cluster;
    // nothing here enforces RBAC (see RequestAccounting.Requests for checking a client's requests against rules).
    public static readonly ResourceType ServiceAccounts = new()
    {
        Group = "", Versions = ["v1"], StorageVersion = "v1", Plural = "serviceaccounts", Singular = "serviceaccount", Kind = "ServiceAccount",
        Namespaced = true, ShortNames = ["sa"],
    };

    public static readonly ResourceType ClusterRoles = new()
    {
        Group = "rbac.authorization.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "clusterroles", Singular = "clusterrole",
        Kind = "ClusterRole", Namespaced = false,
    };

    public static readonly ResourceType ClusterRoleBindings = new()
    {
        Group = "rbac.authorization.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "clusterrolebindings", Singular = "clusterrolebinding",
        Kind = "ClusterRoleBinding", Namespaced = false,
    };

    public static readonly ResourceType Roles = new()
    {
        Group = "rbac.authorization.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "roles", Singular = "role",
        Kind = "Role", Namespaced = true,
    };

    public static readonly ResourceType RoleBindings = new()
    {
        Group = "rbac.authorization.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "rolebindings", Singular = "rolebinding",
        Kind = "RoleBinding", Namespaced = true,
    };

    public static readonly ResourceType PodDisruptionBudgets = new()
    {
        Group = "policy", Versions = ["v1"], StorageVersion = "v1", Plural = "poddisruptionbudgets", Singular = "poddisruptionbudget",
        Kind = "PodDisruptionBudget", Namespaced = true, HasStatus = true, TracksGeneration = true, ShortNames = ["pdb"],
    };

    // Validated as the API server does (networking/validation.go); NGINX and Skipper route tables read them.
    public static readonly ResourceType Ingresses = new()
    {
        Group = "networking.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "ingresses", Singular = "ingress", Kind = "Ingress",
        Namespaced = true, HasStatus = true, TracksGeneration = true, ShortNames = ["ing"],
    };

    public static readonly ResourceType CustomResourceDefinitions = new()
    {
        Group = "apiextensions.k8s.io", Versions = ["v1"], StorageVersion = "v1", Plural = "customresourcedefinitions",
        Singular = "customresourcedefinition", Kind = "CustomResourceDefinition", Namespaced = false, HasStatus = true,
        TracksGeneration = true, ShortNames = ["crd", "crds"],
    };

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Namespaces, Nodes, Services, ConfigMaps, Secrets, Events, Pods, Deployments, DaemonSets, ReplicaSets, Jobs,
        HorizontalPodAutoscalers, Leases, CustomResourceDefinitions, Ingresses,
        ServiceAccounts, ClusterRoles, ClusterRoleBindings, Roles, RoleBindings, PodDisruptionBudgets,
    ];
}
