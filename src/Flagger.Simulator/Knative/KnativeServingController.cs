using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.Knative;

/// <summary>
/// Plays Knative Serving (with the Kourier ingress) once the <c>serving.knative.dev</c> CRDs
/// (<c>deploy/dev/knative-crds.yaml</c>) are applied. For every Knative Service: each new <c>spec.template</c> becomes a
/// Revision <c>&lt;service&gt;-00001</c>, <c>-00002</c>, … with the Deployment <c>&lt;revision&gt;-deployment</c> that
/// runs it (pods labelled <c>app: &lt;revision&gt;</c> and <c>serving.knative.dev/revision</c>) and the Service
/// <c>&lt;revision&gt;</c> in front of it; a Revision is <c>Ready</c> once its Deployment has a ready replica. The Knative
/// Service's status gets <c>latestCreatedRevisionName</c>, <c>latestReadyRevisionName</c>, <c>Ready</c> conditions and
/// <c>status.traffic</c> resolved from <c>spec.traffic</c> (latest revision → the latest ready one) once every
/// revision it names is ready, as Knative's route controller does. The placeholder Service <c>&lt;service&gt;</c> that
/// Knative creates for the route receives the simulated requests (it carries the Knative Service's
/// <c>simulator.flagger.app/*</c> annotations); <see cref="Traffic.Routes.KnativeRouteTable"/> splits them by
/// <c>status.traffic</c>.
/// </summary>
internal sealed partial class KnativeServingController(ClusterStore store, ILogger logger)
{
    public const string Group = "serving.knative.dev";
    public const string ServiceLabel = "serving.knative.dev/service";
    public const string RevisionLabel = "serving.knative.dev/revision";
    private const string ConfigurationGenerationLabel = "serving.knative.dev/configurationGeneration";
    private const string SimulatorAnnotationPrefix = "simulator.flagger.app/";

    /// <summary>How often every Knative Service is reconciled.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(150);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, store.Time, ct);
                ReconcileAll();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ApiException or InvalidOperationException or FormatException)
            {
                // a conflicting or concurrent write (e.g. the namespace is being deleted): the next pass retries
                Log.ReconcileFailed(logger, e.Message);
            }
        }
    }

    /// <summary>One pass over every Knative Service (also called by tests instead of waiting for the loop).</summary>
    public void ReconcileAll()
    {
        if (TypeOf("services") is not { } services || TypeOf("revisions") is not { } revisions)
        {
            return;
        }

        foreach (var (ns, name) in store.Read(() => store.Scan(services, null).Where(s => !s.IsDeleting).Select(s => (s.Namespace!, s.Name)).ToList()))
        {
            // under the store lock: object nodes are read and written back consistently
            store.Read(() =>
            {
                Reconcile(services, revisions, ns, name);
                return true;
            });
        }
    }

    /// <summary>The kind of <paramref name="plural"/> in <c>serving.knative.dev</c>, or null when the CRDs are not applied.</summary>
    public static ResourceType? TypeOf(ClusterStore store, string plural) =>
        store.Types().FirstOrDefault(t => t.Group == Group && t.Plural == plural);

    private ResourceType? TypeOf(string plural) => TypeOf(store, plural);

    private void Reconcile(ResourceType services, ResourceType revisions, string ns, string name)
    {
        var service = store.TryGet(services, ns, name);
        if (service is null)
        {
            return;
        }

        var template = service.Node["spec"]?["template"] as JsonObject ?? new JsonObject();
        var owned = store.Scan(revisions, ns).Where(r => r.Labels.GetValueOrDefault(ServiceLabel) == name).ToList();
        var latest = owned.MaxBy(Number);
        if (latest is null || !SameTemplate(latest, template))
        {
            latest = CreateRevision(revisions, service, template, (latest is null ? 0 : Number(latest)) + 1);
            owned.Add(latest);
        }

        foreach (var revision in owned)
        {
            UpdateRevisionStatus(revisions, revision);
        }

        EnsurePlaceholderService(service);
        UpdateServiceStatus(services, revisions, ns, name);
    }

    private static int Number(StoredObject revision) =>
        int.TryParse(revision.Labels.GetValueOrDefault(ConfigurationGenerationLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>Whether the revision was made from <paramref name="template"/> (its spec, labels and annotations).</summary>
    private static bool SameTemplate(StoredObject revision, JsonObject template) =>
        JsonNode.DeepEquals(revision.Node["spec"], Normalized(template["spec"]))
        && Subset(template["metadata"]?["labels"], revision.Metadata["labels"])
        && Subset(template["metadata"]?["annotations"], revision.Metadata["annotations"])
        && Subset(revision.Metadata["annotations"], template["metadata"]?["annotations"]);

    private static bool Subset(JsonNode? part, JsonNode? whole) =>
        StoredObject.ReadMap(part).All(kv => StoredObject.ReadMap(whole).TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>A revision's spec: the template's spec, every container named (<c>user-container</c> by default).</summary>
    private static JsonObject Normalized(JsonNode? templateSpec)
    {
        var spec = templateSpec?.DeepClone() as JsonObject ?? new JsonObject();
        if (spec["containers"] is JsonArray containers)
        {
            foreach (var container in containers.OfType<JsonObject>().Where(c => c["name"] is null))
            {
                container["name"] = "user-container";
            }
        }

        return spec;
    }

    private StoredObject CreateRevision(ResourceType revisions, StoredObject service, JsonObject template, int number)
    {
        var ns = service.Namespace!;
        var name = string.Create(CultureInfo.InvariantCulture, $"{service.Name}-{number:D5}");
        var labels = new JsonObject();
        foreach (var (key, value) in StoredObject.ReadMap(template["metadata"]?["labels"]))
        {
            labels[key] = value;
        }

        labels[ServiceLabel] = service.Name;
        labels["serving.knative.dev/configuration"] = service.Name;
        labels[ConfigurationGenerationLabel] = number.ToString(CultureInfo.InvariantCulture);
        var annotations = template["metadata"]?["annotations"]?.DeepClone() as JsonObject ?? new JsonObject();
        var spec = Normalized(template["spec"]);
        var revision = store.Create(revisions, ns, Parsed(new JsonObject
        {
            ["apiVersion"] = Group + "/v1",
            ["kind"] = "Revision",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = labels,
                ["annotations"] = annotations,
                ["ownerReferences"] = OwnerRefs(service, "Service"),
            },
            ["spec"] = spec.DeepClone(),
        }));

        var podLabels = new JsonObject { ["app"] = name, [RevisionLabel] = name, [ServiceLabel] = service.Name };
        foreach (var (key, value) in StoredObject.ReadMap(template["metadata"]?["labels"]))
        {
            podLabels[key] = value;
        }

        podLabels["app"] = name;
        store.Create(BuiltinTypes.Deployments, ns, Parsed(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject
            {
                ["name"] = name + "-deployment",
                ["namespace"] = ns,
                ["labels"] = new JsonObject { ["app"] = name, [RevisionLabel] = name, [ServiceLabel] = service.Name },
                ["ownerReferences"] = OwnerRefs(revision, "Revision"),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [RevisionLabel] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = podLabels, ["annotations"] = annotations.DeepClone() },
                    ["spec"] = new JsonObject { ["containers"] = spec["containers"]?.DeepClone() ?? new JsonArray() },
                },
            },
        }));
        store.Create(BuiltinTypes.Services, ns, Parsed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [RevisionLabel] = name, [ServiceLabel] = service.Name },
                ["ownerReferences"] = OwnerRefs(revision, "Revision"),
            },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { [RevisionLabel] = name },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = 8012 }),
            },
        }));
        Log.RevisionCreated(logger, ns, name);
        return revision;
    }

    private void UpdateRevisionStatus(ResourceType revisions, StoredObject revision)
    {
        var deployment = store.TryGet(BuiltinTypes.Deployments, revision.Namespace, revision.Name + "-deployment");
        var ready = (Num(deployment?.Node["status"]?["readyReplicas"]) ?? 0) > 0;
        var replicas = Num(deployment?.Node["status"]?["readyReplicas"]) ?? 0;
        var status = new JsonObject
        {
            ["observedGeneration"] = Num(revision.Metadata["generation"]) ?? 1,
            ["actualReplicas"] = replicas,
            ["desiredReplicas"] = Num(deployment?.Node["spec"]?["replicas"]) ?? 0,
            ["conditions"] = Conditions(revision.Node["status"]?["conditions"], ready, "Ready", "ResourcesAvailable", "ContainerHealthy", "Active"),
        };
        if (!JsonNode.DeepEquals(status, revision.Node["status"]))
        {
            WriteStatus(revisions, revision, status);
        }
    }

    private void UpdateServiceStatus(ResourceType services, ResourceType revisions, string ns, string name)
    {
        var service = store.TryGet(services, ns, name);
        if (service is null)
        {
            return;
        }

        var owned = store.Scan(revisions, ns).Where(r => r.Labels.GetValueOrDefault(ServiceLabel) == name).ToList();
        var latestCreated = owned.MaxBy(Number);
        var latestReady = owned.Where(IsReady).MaxBy(Number);
        var previous = service.Node["status"] as JsonObject;
        var traffic = ResolveTraffic(service.Node["spec"]?["traffic"] as JsonArray, latestReady?.Name, owned) ?? previous?["traffic"]?.DeepClone();
        var routesReady = traffic is not null && latestReady is not null;
        var configurationReady = latestCreated is not null && latestReady?.Name == latestCreated.Name;
        var status = new JsonObject
        {
            ["observedGeneration"] = Num(service.Metadata["generation"]) ?? 1,
            ["conditions"] = new JsonArray(
                [.. new[] { ("Ready", configurationReady && routesReady), ("ConfigurationsReady", configurationReady), ("RoutesReady", routesReady) }
                    .Select(c => Conditions(previous?["conditions"], c.Item2, c.Item1)[0]!.DeepClone())]),
            ["latestCreatedRevisionName"] = latestCreated?.Name,
            ["latestReadyRevisionName"] = latestReady?.Name,
            ["url"] = $"http://{name}.{ns}.example.com",
            ["address"] = new JsonObject { ["url"] = $"http://{name}.{ns}.svc.cluster.local" },
        };
        if (traffic is not null)
        {
            status["traffic"] = traffic;
        }

        if (!JsonNode.DeepEquals(status, previous))
        {
            WriteStatus(services, service, status);
        }
    }

    /// <summary>
    /// <c>status.traffic</c> for <paramref name="spec"/> (none: all to the latest ready revision), or null while a named
    /// revision is missing or not ready (the route keeps serving its previous targets).
    /// </summary>
    internal static JsonArray? ResolveTraffic(JsonArray? spec, string? latestReady, IReadOnlyList<StoredObject> revisions)
    {
        var targets = spec is { Count: > 0 } ? spec.OfType<JsonObject>().ToList() : [new JsonObject { ["latestRevision"] = true, ["percent"] = 100 }];
        var resolved = new JsonArray();
        foreach (var target in targets)
        {
            var latest = (bool?)target["latestRevision"] ?? target["revisionName"] is null;
            var revision = latest ? latestReady : (string?)target["revisionName"];
            if (revision is null || !revisions.Any(r => r.Name == revision && IsReady(r)))
            {
                return null;
            }

            var entry = new JsonObject { ["revisionName"] = revision, ["latestRevision"] = latest, ["percent"] = Num(target["percent"]) ?? 0 };
            if (target["tag"] is { } tag)
            {
                entry["tag"] = tag.DeepClone();
            }

            resolved.Add(entry);
        }

        return resolved;
    }

    private static bool IsReady(StoredObject revision) =>
        revision.Node["status"]?["conditions"] is JsonArray conditions
        && conditions.OfType<JsonObject>().Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True");

    /// <summary>The Service Knative makes for a route; it carries the simulator's traffic annotations of the Knative Service.</summary>
    private void EnsurePlaceholderService(StoredObject service)
    {
        var annotations = new JsonObject();
        foreach (var (key, value) in StoredObject.ReadMap(service.Metadata["annotations"]).Where(a => a.Key.StartsWith(SimulatorAnnotationPrefix, StringComparison.Ordinal)))
        {
            annotations[key] = value;
        }

        var services = BuiltinTypes.Services;
        var existing = store.TryGet(services, service.Namespace, service.Name);
        if (existing is null)
        {
            store.Create(services, service.Namespace, Parsed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Service",
                ["metadata"] = new JsonObject
                {
                    ["name"] = service.Name,
                    ["namespace"] = service.Namespace,
                    ["labels"] = new JsonObject { [ServiceLabel] = service.Name },
                    ["annotations"] = annotations,
                    ["ownerReferences"] = OwnerRefs(service, "Service"),
                },
                ["spec"] = new JsonObject
                {
                    ["type"] = "ExternalName",
                    ["externalName"] = "kourier-internal.kourier-system.svc.cluster.local",
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "http2", ["port"] = 80, ["targetPort"] = 80 }),
                },
            }));
            return;
        }

        if (!JsonNode.DeepEquals(existing.Metadata["annotations"] ?? new JsonObject(), annotations))
        {
            var body = existing.CloneNode();
            body["metadata"]!["annotations"] = annotations;
            store.Update(services, existing.Namespace, existing.Name, Parsed(body), status: false);
        }
    }

    private void WriteStatus(ResourceType type, StoredObject obj, JsonObject status)
    {
        var body = obj.CloneNode();
        body["status"] = status;
        store.Update(type, obj.Namespace, obj.Name, Parsed(body), status: true);
    }

    /// <summary>Conditions of <paramref name="types"/>, keeping each one's transition time while its status stays.</summary>
    private JsonArray Conditions(JsonNode? previous, bool ready, params string[] types)
    {
        var now = store.Now();
        var result = new JsonArray();
        foreach (var type in types)
        {
            var status = ready ? "True" : "Unknown";
            var old = (previous as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
            var since = old is not null && (string?)old["status"] == status ? (string?)old["lastTransitionTime"] : now;
            var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastTransitionTime"] = since };
            if (!ready)
            {
                condition["reason"] = "Deploying";
            }

            result.Add(condition);
        }

        return result;
    }

    private static JsonArray OwnerRefs(StoredObject owner, string kind) =>
    [
        new JsonObject
        {
            ["apiVersion"] = Group + "/v1",
            ["kind"] = kind,
            ["name"] = owner.Name,
            ["uid"] = owner.Uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        },
    ];

    /// <summary>A JSON number as <see cref="long"/> whatever the node's CLR type (parsed or built), or null.</summary>
    private static long? Num(JsonNode? node) =>
        node is JsonValue value && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (long)number : null;

    /// <summary>The body as the API server would have parsed it (admission checks JSON types of parsed values).</summary>
    private static JsonObject Parsed(JsonObject body) => JsonNode.Parse(body.ToJsonString())!.AsObject();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "knative controller created Revision {Namespace}/{Name}")]
        public static partial void RevisionCreated(ILogger logger, string @namespace, string name);

        [LoggerMessage(Level = LogLevel.Debug, Message = "knative controller pass failed: {Reason}")]
        public static partial void ReconcileFailed(ILogger logger, string reason);
    }
}
