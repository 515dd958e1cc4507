using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flagger.Simulator.Store;

/// <summary>
/// Per-kind defaulting and validation run inside the store lock, plus CRD registration: what the real API server's
/// strategies and the apiextensions server do for the kinds the operator touches.
/// </summary>
internal sealed partial class Admission(ClusterStore store)
{
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";
    private int nextClusterIp = 10;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>
    /// The version a create or update body was sent in (CheckKind rewrites it to the storage version before Admit), for
    /// the schema check; consumed by the next Admit on this thread.
    /// </summary>
    [ThreadStatic]
    private static string? sentVersion;

    public void CheckKind(ResourceType type, JsonObject body)
    {
        // Like the real decoder: an absent kind/apiVersion defaults to the URL's; a different one is rejected.
        var kind = (string?)body["kind"];
        var apiVersion = (string?)body["apiVersion"];
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind of the provided object ({kind}) does not match the kind of the URL resource ({type.Kind}): kind: Invalid value");
        }

        if (!string.IsNullOrEmpty(apiVersion) && !type.Versions.Any(v => type.ApiVersionFor(v) == apiVersion))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersionFor(type.StorageVersion)}): apiVersion: Invalid value");
        }

        sentVersion = string.IsNullOrEmpty(apiVersion) ? null : apiVersion.Split('/')[^1];
        body["kind"] = type.Kind;
        body["apiVersion"] = type.ApiVersionFor(type.StorageVersion);
    }

    /// <summary>Metadata fields must have their API types; a wrong type is a 400 naming the field, never a 500.</summary>
    public static void CheckMetadata(JsonObject body)
    {
        if (body["metadata"] is not JsonObject meta)
        {
            return;
        }

        foreach (var field in new[] { "name", "generateName", "namespace", "resourceVersion", "uid", "creationTimestamp", "deletionTimestamp" })
        {
            if (meta[field] is { } v && v.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                throw ApiException.BadRequest($"metadata.{field}: Invalid value: {v.ToJsonString()}: must be a string");
            }
        }

        if (meta["generation"] is { } generation && !(generation is JsonValue g && g.TryGetValue<long>(out _)))
        {
            throw ApiException.BadRequest($"metadata.generation: Invalid value: {generation.ToJsonString()}: must be an integer");
        }

        foreach (var field in new[] { "labels", "annotations" })
        {
            if (meta[field] is null)
            {
                continue;
            }

            if (meta[field] is not JsonObject map)
            {
                throw ApiException.BadRequest($"metadata.{field}: Invalid value: must be a map of strings");
            }

            foreach (var (key, value) in map)
            {
                if (value is null || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    throw ApiException.BadRequest($"metadata.{field}[{key}]: Invalid value: {value?.ToJsonString() ?? "null"}: must be a string");
                }
            }
        }

        if (meta["finalizers"] is { } finalizers &&
            (finalizers is not JsonArray list || list.Any(f => f is null || f.GetValueKind() != System.Text.Json.JsonValueKind.String)))
        {
            throw ApiException.BadRequest("metadata.finalizers: Invalid value: must be a list of strings");
        }

        if (meta["ownerReferences"] is { } owners)
        {
            if (owners is not JsonArray refs)
            {
                throw ApiException.BadRequest("metadata.ownerReferences: Invalid value: must be a list");
            }

            for (var i = 0; i < refs.Count; i++)
            {
                if (refs[i] is not JsonObject r || r["uid"] is not JsonValue uid || uid.GetValueKind() != System.Text.Json.JsonValueKind.String ||
                    (string?)r["name"] is null || (string?)r["kind"] is null)
                {
                    throw ApiException.BadRequest($"metadata.ownerReferences[{i}]: Invalid value: apiVersion, kind, name and uid are required strings");
                }
            }
        }
    }

    private static void CheckInteger(ResourceType type, string name, JsonNode? parent, string field, string path)
    {
        if (parent?[field] is { } v && !(v is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.TryGetValue<long>(out _)))
        {
            throw ApiException.Invalid(type, name, path, $"Invalid value: {v.ToJsonString()}: must be an integer");
        }
    }

    public JsonObject PrepareCreate(ResourceType type, string? ns, JsonObject body)
    {
        CheckKind(type, body);
        CheckMetadata(body);
        if (body["metadata"] is not JsonObject meta)
        {
            if (body["metadata"] is not null)
            {
                throw ApiException.BadRequest("metadata: Invalid value: must be an object");
            }

            body["metadata"] = meta = new JsonObject();
        }

        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name))
        {
            var prefix = (string?)meta["generateName"];
            if (string.IsNullOrEmpty(prefix))
            {
                throw ApiException.Invalid(type, "", "metadata.name", "Required value: name or generateName is required");
            }

            name = prefix + new string(Enumerable.Range(0, 5).Select(_ => NameChars[Random.Shared.Next(NameChars.Length)]).ToArray());
            meta["name"] = name;
        }

        var valid = type == BuiltinTypes.Namespaces ? Label().IsMatch(name) && name.Length <= 63 : Subdomain().IsMatch(name) && name.Length <= 253;
        if (!valid)
        {
            throw ApiException.Invalid(type, name, "metadata.name",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 {(type == BuiltinTypes.Namespaces ? "label" : "subdomain")} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }

        if (type.Namespaced)
        {
            if ((string?)meta["namespace"] is { Length: > 0 } bodyNs && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        return meta;
    }

    /// <summary>Kind-specific defaults and validation for a create (<paramref name="old"/> null) or an update.</summary>
    public void Admit(ResourceType type, JsonObject obj, StoredObject? old)
    {
        var name = (string?)obj["metadata"]?["name"] ?? "";
        var version = sentVersion;
        sentVersion = null;
        if (type.IsCustom)
        {
            AdmitCustom(type, version, obj, name, store.CurrentOptions.StrictFields);
            return;
        }

        if (BuiltinSchemas.For(type.Kind) is { } schema)
        {
            var errors = new List<(string Field, string Detail)>();
            WalkObject(obj, schema, "", errors, root: true, []);
            if (errors.Count > 0)
            {
                throw ApiException.Invalid(type, name, errors[0].Field, errors[0].Detail);
            }
        }

        switch (type.Kind)
        {
            case "Namespace":
                AdmitNamespace(obj, old);
                break;
            case "Deployment":
                AdmitWorkload(type, obj, old, name, isDeployment: true);
                break;
            case "DaemonSet":
            case "ReplicaSet":
                AdmitWorkload(type, obj, old, name, isDeployment: type.Kind == "ReplicaSet");
                break;
            case "Job":
                AdmitJob(type, obj, old, name);
                break;
            case "Service":
                AdmitService(type, obj, old, name);
                break;
            case "Secret":
                AdmitSecret(type, obj, name);
                break;
            case "HorizontalPodAutoscaler":
                if (obj["spec"]?["scaleTargetRef"] is not JsonObject)
                {
                    throw ApiException.Invalid(type, name, "spec.scaleTargetRef", "Required value");
                }

                if (obj["spec"]?["maxReplicas"] is null)
                {
                    throw ApiException.Invalid(type, name, "spec.maxReplicas", "Required value");
                }

                break;
            case "CustomResourceDefinition":
                AdmitCrd(type, obj, old, name);
                break;
            case "Ingress":
                AdmitIngress(type, obj, name);
                break;
        }
    }

    // upstream: kubernetes pkg/apis/networking/validation/validation.go, ValidateIngressSpec (all errors, in field order)
    private static void AdmitIngress(ResourceType type, JsonObject obj, string name)
    {
        var errors = new List<(string Field, string Detail)>();
        var spec = obj["spec"] as JsonObject;
        var rules = spec?["rules"] as JsonArray;
        if (spec?["defaultBackend"] is JsonObject defaultBackend)
        {
            IngressBackend(defaultBackend, "spec.defaultBackend", errors);
        }
        else if (rules is not { Count: > 0 })
        {
            errors.Add(("spec", "Invalid value: \"\": either `defaultBackend` or `rules` must be specified"));
        }

        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            var rule = rules![i] as JsonObject;
            var host = (string?)rule?["host"];
            if (!string.IsNullOrEmpty(host) && !IngressHost().IsMatch(host))
            {
                errors.Add(($"spec.rules[{i}].host", $"Invalid value: \"{host}\": a lowercase RFC 1123 subdomain (or a wildcard *.<subdomain>) must consist of lower case alphanumeric characters, '-' or '.'"));
            }

            if (rule?["http"] is not JsonObject http)
            {
                continue;
            }

            if (http["paths"] is not JsonArray { Count: > 0 } paths)
            {
                errors.Add(($"spec.rules[{i}].http.paths", "Required value"));
                continue;
            }

            for (var j = 0; j < paths.Count; j++)
            {
                var field = $"spec.rules[{i}].http.paths[{j}]";
                var path = paths[j] as JsonObject;
                var pathType = (string?)path?["pathType"];
                var value = (string?)path?["path"];
                if (string.IsNullOrEmpty(pathType))
                {
                    errors.Add(($"{field}.pathType", "Required value: pathType must be specified"));
                }
                else if (pathType is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                {
                    errors.Add(($"{field}.pathType", $"Unsupported value: \"{pathType}\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""));
                }
                else if (pathType != "ImplementationSpecific" && (string.IsNullOrEmpty(value) || value[0] != '/'))
                {
                    errors.Add(($"{field}.path", $"Invalid value: \"{value}\": must be an absolute path"));
                }

                if (path?["backend"] is JsonObject backend)
                {
                    IngressBackend(backend, $"{field}.backend", errors);
                }
                else
                {
                    errors.Add(($"{field}.backend", "Required value"));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, name, errors);
        }
    }

    private static void IngressBackend(JsonObject backend, string field, List<(string Field, string Detail)> errors)
    {
        var service = backend["service"] as JsonObject;
        var resource = backend["resource"] as JsonObject;
        if (service is not null && resource is not null)
        {
            errors.Add((field, "Invalid value: \"\": cannot set both resource and service backends"));
            return;
        }

        if (service is null && resource is null)
        {
            errors.Add((field, "Invalid value: \"\": resource or service backend is required"));
            return;
        }

        if (service is null)
        {
            return;
        }

        if (string.IsNullOrEmpty((string?)service["name"]))
        {
            errors.Add(($"{field}.service.name", "Required value"));
        }

        var port = service["port"] as JsonObject;
        var hasName = !string.IsNullOrEmpty((string?)port?["name"]);
        var hasNumber = port?["number"] is not null;
        if (hasName && hasNumber)
        {
            errors.Add(($"{field}.service.port", "Invalid value: \"\": cannot set both port name & port number"));
        }
        else if (!hasName && !hasNumber)
        {
            errors.Add(($"{field}.service.port", "Invalid value: \"\": port name or number is required"));
        }
        else if (hasNumber && (long?)port!["number"] is < 1 or > 65535)
        {
            errors.Add(($"{field}.service.port.number", $"Invalid value: {(long?)port["number"]}: must be between 1 and 65535, inclusive"));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial System.Text.RegularExpressions.Regex IngressHost();

    // upstream: pkg/registry/core/namespace/strategy.go, PrepareForCreate (also for Go clients' `spec: {}, status: {}`)
    private static void AdmitNamespace(JsonObject obj, StoredObject? old)
    {
        if (obj["spec"] is not JsonObject { Count: > 0 })
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        }

        if (old is null || obj["status"] is not JsonObject { Count: > 0 })
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
    }

    private static void AdmitWorkload(ResourceType type, JsonObject obj, StoredObject? old, string name, bool isDeployment)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            throw ApiException.Invalid(type, name, "spec", "Required value");
        }

        CheckInteger(type, name, spec, "replicas", "spec.replicas");
        CheckInteger(type, name, spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds");
        CheckInteger(type, name, spec, "revisionHistoryLimit", "spec.revisionHistoryLimit");
        CheckInteger(type, name, spec, "minReadySeconds", "spec.minReadySeconds");
        if ((long?)spec["replicas"] is < 0)
        {
            throw ApiException.Invalid(type, name, "spec.replicas", $"Invalid value: {(long?)spec["replicas"]}: must be greater than or equal to 0");
        }

        if (spec["template"] is not null && spec["template"] is not JsonObject)
        {
            throw ApiException.Invalid(type, name, "spec.template", "Invalid value: must be an object");
        }

        if (spec["template"]?["metadata"] is JsonObject templateMeta)
        {
            CheckMetadata(new JsonObject { ["metadata"] = templateMeta.DeepClone() });
        }

        if (spec["selector"] is not JsonObject selector)
        {
            throw ApiException.Invalid(type, name, "spec.selector", "Required value");
        }

        var templateLabels = StoredObject.ReadMap(spec["template"]?["metadata"]?["labels"]);
        var matchLabels = StoredObject.ReadMap(selector["matchLabels"]);
        if (matchLabels.Count == 0 && selector["matchExpressions"] is null)
        {
            throw ApiException.Invalid(type, name, "spec.selector", "Invalid value: empty selector is invalid for deployment");
        }

        if (matchLabels.Any(kv => !templateLabels.TryGetValue(kv.Key, out var v) || v != kv.Value))
        {
            throw ApiException.Invalid(type, name, "spec.template.metadata.labels",
                $"Invalid value: {spec["template"]?["metadata"]?["labels"]?.ToJsonString() ?? "null"}: `selector` does not match template `labels`");
        }

        if (spec["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            throw ApiException.Invalid(type, name, "spec.template.spec.containers", "Required value");
        }

        for (var i = 0; i < containers.Count; i++)
        {
            if (string.IsNullOrEmpty((string?)containers[i]?["name"]))
            {
                throw ApiException.Invalid(type, name, $"spec.template.spec.containers[{i}].name", "Required value");
            }

            if (string.IsNullOrEmpty((string?)containers[i]?["image"]))
            {
                throw ApiException.Invalid(type, name, $"spec.template.spec.containers[{i}].image", "Required value");
            }

            foreach (var port in (containers[i]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
            }
        }

        if (old is not null && !JsonNode.DeepEquals(old.Node["spec"]?["selector"], selector))
        {
            throw ApiException.Invalid(type, name, "spec.selector", $"Invalid value: {selector.ToJsonString()}: field is immutable");
        }

        spec["revisionHistoryLimit"] ??= 10;
        DefaultStrategy(spec, isDeployment);
    }

    /// <summary>
    /// Replica, deadline and rollout-strategy defaults, also for <c>strategy: {}</c> / <c>updateStrategy: {}</c>, which
    /// Go clients always send (a struct field is never omitted).
    /// </summary>
    private static void DefaultStrategy(JsonObject spec, bool isDeployment)
    {
        if (isDeployment)
        {
            spec["replicas"] ??= 1;
            spec["progressDeadlineSeconds"] ??= 600;
            if (spec["strategy"] is not JsonObject { Count: > 0 })
            {
                spec["strategy"] = new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
                };
            }
        }
        else
        {
            spec["updateStrategy"] = spec["updateStrategy"] is JsonObject { Count: > 0 } given ? given : new JsonObject
            {
                ["type"] = "RollingUpdate",
                ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
            };
        }
    }

    /// <summary>A Job's generated selector and pod labels, its defaults and its restart policy, as the API server does them.</summary>
    private static void AdmitJob(ResourceType type, JsonObject obj, StoredObject? old, string name)
    {
        var spec = obj["spec"] as JsonObject ?? throw ApiException.Invalid(type, name, "spec", "Required value");
        var template = spec["template"] as JsonObject ?? throw ApiException.Invalid(type, name, "spec.template", "Required value");
        var restart = (string?)template["spec"]?["restartPolicy"];
        if (restart is not ("OnFailure" or "Never"))
        {
            var detail = restart is null ? "Required value" : $"Unsupported value: \"{restart}\"";
            throw ApiException.Invalid(type, name, "spec.template.spec.restartPolicy", detail + ": valid values: \"OnFailure\", \"Never\"");
        }

        if (template["spec"]?["containers"] is not JsonArray { Count: > 0 })
        {
            throw ApiException.Invalid(type, name, "spec.template.spec.containers", "Required value");
        }

        if (old is null && (bool?)spec["manualSelector"] != true)
        {
            // upstream: pkg/registry/batch/job/strategy.go, generateSelector
            var uid = (string?)obj["metadata"]?["uid"] ?? "";
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
            var meta = template["metadata"] as JsonObject ?? new JsonObject();
            template["metadata"] = meta;
            var labels = meta["labels"] as JsonObject ?? new JsonObject();
            meta["labels"] = labels;
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = name;
            labels["controller-uid"] = uid;
            labels["job-name"] = name;
        }

        spec["parallelism"] ??= 1;
        spec["completions"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        spec["manualSelector"] ??= false;
    }

    private void AdmitService(ResourceType type, JsonObject obj, StoredObject? old, string name)
    {
        var spec = obj["spec"] as JsonObject ?? throw ApiException.Invalid(type, name, "spec", "Required value");
        if (spec["selector"] is { } sel && (sel is not JsonObject selMap || selMap.Any(kv => kv.Value?.GetValueKind() != System.Text.Json.JsonValueKind.String)))
        {
            throw ApiException.Invalid(type, name, "spec.selector", "Invalid value: must be a map of strings");
        }

        if (spec["ports"] is { } portsNode && portsNode is not JsonArray)
        {
            throw ApiException.Invalid(type, name, "spec.ports", "Invalid value: must be a list");
        }

        var svcType = spec["type"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)t! : spec["type"] is null ? "ClusterIP"
            : throw ApiException.Invalid(type, name, "spec.type", "Invalid value: must be a string");
        spec["type"] = svcType;
        spec["sessionAffinity"] ??= "None";
        var oldIp = (string?)old?.Node["spec"]?["clusterIP"];
        var ip = (string?)spec["clusterIP"];
        if (old is not null && !string.IsNullOrEmpty(ip) && !string.IsNullOrEmpty(oldIp) && ip != oldIp)
        {
            throw ApiException.Invalid(type, name, "spec.clusterIP", $"Invalid value: \"{ip}\": field is immutable");
        }

        if (svcType != "ExternalName")
        {
            if (string.IsNullOrEmpty(ip))
            {
                ip = oldIp ?? $"10.96.{nextClusterIp / 250 % 250}.{(nextClusterIp++ % 250) + 1}";
                spec["clusterIP"] = ip;
            }

            spec["clusterIPs"] = new JsonArray(ip);
            if (spec["ports"] is not JsonArray { Count: > 0 } ports)
            {
                if (ip != "None")
                {
                    throw ApiException.Invalid(type, name, "spec.ports", "Required value");
                }
            }
            else
            {
                for (var i = 0; i < ports.Count; i++)
                {
                    var port = ports[i] as JsonObject ?? throw ApiException.Invalid(type, name, $"spec.ports[{i}]", "Invalid value: must be an object");
                    if (port["port"] is null)
                    {
                        throw ApiException.Invalid(type, name, $"spec.ports[{i}].port", "Required value");
                    }

                    CheckInteger(type, name, port, "port", $"spec.ports[{i}].port");

                    if (ports.Count > 1 && string.IsNullOrEmpty((string?)port["name"]))
                    {
                        throw ApiException.Invalid(type, name, $"spec.ports[{i}].name", "Required value");
                    }

                    port["protocol"] ??= "TCP";
                    port["targetPort"] ??= port["port"]!.DeepClone();
                }
            }
        }

        obj["status"] ??= new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    private static void AdmitSecret(ResourceType type, JsonObject obj, string name)
    {
        obj["type"] ??= "Opaque";
        if (obj["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var s) || !IsBase64(s))
                {
                    throw ApiException.Invalid(type, name, $"data[{key}]", "Invalid value: illegal base64 data");
                }
            }
        }

        if (obj["stringData"] is JsonObject stringData)
        {
            var target = obj["data"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in stringData)
            {
                target[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes((string?)value ?? ""));
            }

            obj["data"] = target;
            obj.Remove("stringData");
        }
    }

    private static bool IsBase64(string s)
    {
        var buffer = new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out _);
    }

    // ---- CustomResourceDefinitions ----

    private static void AdmitCrd(ResourceType type, JsonObject obj, StoredObject? old, string name)
    {
        var spec = obj["spec"] as JsonObject ?? throw ApiException.Invalid(type, name, "spec", "Required value");
        var group = (string?)spec["group"];
        var names = spec["names"] as JsonObject ?? throw ApiException.Invalid(type, name, "spec.names", "Required value");
        var plural = (string?)names["plural"];
        var kind = (string?)names["kind"];
        if (string.IsNullOrEmpty(group))
        {
            throw ApiException.Invalid(type, name, "spec.group", "Required value");
        }

        if (string.IsNullOrEmpty(plural))
        {
            throw ApiException.Invalid(type, name, "spec.names.plural", "Required value");
        }

        if (string.IsNullOrEmpty(kind))
        {
            throw ApiException.Invalid(type, name, "spec.names.kind", "Required value");
        }

        if (name != plural + "." + group)
        {
            throw ApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }

        var scope = (string?)spec["scope"];
        if (scope is not ("Namespaced" or "Cluster"))
        {
            throw ApiException.Invalid(type, name, "spec.scope", $"Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\"");
        }

        if (spec["versions"] is not JsonArray { Count: > 0 } versions)
        {
            throw ApiException.Invalid(type, name, "spec.versions", "Invalid value: must have exactly one version marked as storage version");
        }

        if (versions.Count(v => (bool?)v?["storage"] == true) != 1)
        {
            throw ApiException.Invalid(type, name, "spec.versions", "Invalid value: must have exactly one version marked as storage version");
        }

        if (old is not null && (string?)old.Node["spec"]?["group"] != group)
        {
            throw ApiException.Invalid(type, name, "spec.group", "Invalid value: field is immutable");
        }

        names["singular"] ??= plural is null ? null : ((string)names["kind"]!).ToLowerInvariant();
        names["listKind"] ??= kind + "List";
        var storage = versions.First(v => (bool?)v?["storage"] == true)!["name"]!.GetValue<string>();
        var stored = new JsonArray(((old?.Node["status"]?["storedVersions"] as JsonArray)?.Select(v => (string?)v) ?? [])
            .Append(storage).Distinct().Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        obj["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = stored,
        };
    }

    /// <summary>Registers (or re-registers) the kind a CRD describes.</summary>
    public void AfterCommit(ResourceType type, StoredObject obj)
    {
        if (type != BuiltinTypes.CustomResourceDefinitions || obj.IsDeleting || store.CurrentOptions.DryRun)
        {
            return;
        }

        var spec = obj.Node["spec"]!;
        var names = spec["names"]!;
        var versions = ((JsonArray)spec["versions"]!).OfType<JsonObject>().ToList();
        var served = versions.Where(v => (bool?)v["served"] != false).ToList();
        var storage = versions.First(v => (bool?)v["storage"] == true);
        var columnsSource = storage["additionalPrinterColumns"] as JsonArray ?? served.Select(v => v["additionalPrinterColumns"] as JsonArray).FirstOrDefault(a => a is not null);
        var columns = columnsSource?.OfType<JsonObject>().Select(c => new PrinterColumn(
            (string?)c["name"] ?? "", (string?)c["type"] ?? "string", (string?)c["jsonPath"] ?? "",
            (int?)c["priority"] ?? 0, (string?)c["format"], (string?)c["description"])).ToList() ?? [];
        var schemas = new Dictionary<string, JsonObject>();
        foreach (var v in versions)
        {
            if (v["schema"]?["openAPIV3Schema"] is JsonObject schema)
            {
                schemas[(string)v["name"]!] = (JsonObject)schema.DeepClone();
            }
        }

        store.RegisterType(new ResourceType
        {
            Group = (string)spec["group"]!,
            Versions = served.Select(v => (string)v["name"]!).ToList(),
            StorageVersion = (string)storage["name"]!,
            Plural = (string)names["plural"]!,
            Singular = (string?)names["singular"] ?? ((string)names["kind"]!).ToLowerInvariant(),
            Kind = (string)names["kind"]!,
            Namespaced = (string?)spec["scope"] == "Namespaced",
            HasStatus = storage["subresources"]?["status"] is not null,
            HasScale = storage["subresources"]?["scale"] is not null,
            TracksGeneration = true,
            IsCustom = true,
            ShortNames = (names["shortNames"] as JsonArray)?.Select(s => (string?)s ?? "").ToList() ?? [],
            Categories = (names["categories"] as JsonArray)?.Select(s => (string?)s ?? "").ToList() ?? [],
            PrinterColumns = columns,
            Schemas = schemas,
        });
    }

    public void OnCrdRemoved(StoredObject crd)
    {
        var spec = crd.Node["spec"]!;
        store.UnregisterTypeLocked((string)spec["group"]! + "/" + (string)spec["names"]!["plural"]!);
    }

    // ---- custom resources: structural schema defaults, pruning and validation ----

    private static void AdmitCustom(ResourceType type, string? sentVersion, JsonObject obj, string name, bool strict)
    {
        // The API server validates (and prunes) an object with the schema of the version it was sent in, before it
        // converts it to the storage version; versions of one kind may have different schemas (App Mesh v1beta1/v1beta2).
        if (!(sentVersion is not null && type.Versions.Contains(sentVersion) && type.Schemas.TryGetValue(sentVersion, out var schema))
            && !type.Schemas.TryGetValue(type.StorageVersion, out schema))
        {
            return;
        }

        var errors = new List<(string Field, string Detail)>();
        var unknown = new List<string>();
        WalkObject(obj, schema, "", errors, root: true, unknown);
        SchemaKeywords.CheckComposition(obj, schema, "", errors);
        SchemaKeywords.CheckRules(obj, schema, "", errors);
        if (strict && unknown.Count > 0)
        {
            // fieldValidation=Strict (kubectl's default): unknown fields are an error instead of being pruned.
            throw ApiException.BadRequest(string.Join(", ", unknown.Select(u => $"strict decoding error: unknown field \"{u}\"")));
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, name, errors);
        }
    }

    private static void WalkObject(JsonObject obj, JsonObject schema, string path, List<(string, string)> errors, bool root, List<string> unknown)
    {
        var props = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var preserve = (bool?)schema["x-kubernetes-preserve-unknown-fields"] == true;
        if (props is not null)
        {
            foreach (var (key, propSchema) in props)
            {
                if (!obj.ContainsKey(key) && propSchema?["default"] is { } def)
                {
                    obj[key] = def.DeepClone();
                }
            }
        }

        if (schema["required"] is JsonArray required)
        {
            foreach (var r in required.Select(r => (string?)r))
            {
                if (r is not null && !obj.ContainsKey(r))
                {
                    errors.Add((Join(path, r), "Required value"));
                }
            }
        }

        foreach (var (key, value) in obj.ToList())
        {
            if (root && key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            var childSchema = props?[key] as JsonObject ?? additional as JsonObject;
            if (childSchema is null)
            {
                if (!preserve && !(additional is JsonValue b && b.TryGetValue<bool>(out var allowed) && allowed))
                {
                    obj.Remove(key);
                    unknown.Add(Join(path, key));
                }

                continue;
            }

            if (value is null)
            {
                if ((bool?)childSchema["nullable"] != true)
                {
                    obj.Remove(key);
                }

                continue;
            }

            WalkNode(value, childSchema, Join(path, key), errors, unknown);
        }
    }

    private static void WalkNode(JsonNode node, JsonObject schema, string path, List<(string, string)> errors, List<string> unknown)
    {
        var type = (string?)schema["type"];
        var intOrString = (bool?)schema["x-kubernetes-int-or-string"] == true;
        if (intOrString && node is not JsonValue)
        {
            errors.Add((path, $"Invalid value: {node.ToJsonString()}: {path} in body must be an integer or a string"));
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                if (type is not null && type != "object")
                {
                    errors.Add((path, $"Invalid value: \"object\": {path} in body must be of type {type}: \"object\""));
                    return;
                }

                WalkObject(obj, schema, path, errors, root: false, unknown);
                break;
            case JsonArray array:
                if (type is not null && type != "array")
                {
                    errors.Add((path, $"Invalid value: \"array\": {path} in body must be of type {type}: \"array\""));
                    return;
                }

                SchemaKeywords.CheckItems(array, schema, path, errors);
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is { } item)
                        {
                            WalkNode(item, items, $"{path}[{i}]", errors, unknown);
                        }
                    }
                }

                break;
            case JsonValue value:
                if (!SchemaKeywords.CheckScalar(value, schema, type, intOrString, path, errors))
                {
                    return;
                }

                break;
        }

        SchemaKeywords.CheckComposition(node, schema, path, errors);
        SchemaKeywords.CheckRules(node, schema, path, errors);
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
}
