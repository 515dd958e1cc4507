using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.GatewayApi;

/// <summary>
/// Plays a Gateway API implementation once the <c>gateway.networking.k8s.io</c> CRDs (<c>deploy/dev/gatewayapi-crds.yaml</c>)
/// are applied: every HTTPRoute gets, per <c>spec.parentRefs</c> entry, a <c>status.parents[]</c> entry with
/// <c>Accepted</c> (True when the parent exists: a Gateway, or for GAMMA meshes the Service itself; otherwise False,
/// <c>NoMatchingParent</c>) and <c>ResolvedRefs</c> (True when every backend Service exists), both with the route's
/// <c>observedGeneration</c>, as a gateway controller reports what it programmed. Flagger's <c>gatewayapi:v1</c>
/// router reads these conditions before it trusts the route's weights.
/// </summary>
public sealed partial class GatewayApiController
{
    /// <summary>The <c>controllerName</c> the simulated implementation reports in <c>status.parents[]</c>.</summary>
    public const string ControllerName = "simulator.flagger.app/gateway-controller";

    private const string Group = "gateway.networking.k8s.io";
    private readonly ClusterStore store;
    private readonly ILogger logger;

    internal GatewayApiController(ClusterStore store, ILogger logger)
    {
        this.store = store;
        this.logger = logger;
    }

    /// <summary>How often routes are re-examined (a gateway's reconcile latency).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>While false, routes are left without status, as a gateway that has not seen them yet.</summary>
    public bool Enabled { get; set; } = true;

    internal async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, store.Time, ct);
                if (Enabled)
                {
                    Reconcile();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One pass over every HTTPRoute: writes the parents' status where it changed.</summary>
    internal void Reconcile()
    {
        if ((store.FindType(Group, "v1", "httproutes") ?? store.FindType(Group, "v1beta1", "httproutes")) is not { } routes)
        {
            return;
        }

        var pending = store.Read(() => store.Scan(routes, null)
            .Select(r => (Route: r, Parents: ParentsStatus(r)))
            .Where(r => !SameConditions(r.Route.Node["status"]?["parents"] as JsonArray, r.Parents))
            .Select(r => (r.Route.Namespace!, r.Route.Name))
            .ToList());
        foreach (var (ns, name) in pending)
        {
            try
            {
                store.Patch(routes, ns, name, status: true, existing =>
                {
                    var body = existing!.CloneNode();
                    var status = body["status"] as JsonObject ?? new JsonObject();
                    var others = (status["parents"] as JsonArray ?? []).OfType<JsonObject>()
                        .Where(p => (string?)p["controllerName"] != ControllerName)
                        .Select(p => p.DeepClone());
                    var now = store.Now();
                    var mine = ParentsStatus(existing).Select(p =>
                    {
                        foreach (var condition in ((JsonArray)p["conditions"]!).OfType<JsonObject>())
                        {
                            condition["lastTransitionTime"] = now;
                        }

                        return (JsonNode)p;
                    });
                    status["parents"] = new JsonArray([.. others, .. mine]);
                    body["status"] = status;
                    return (body, existing.Managers);
                });
            }
            catch (ApiException ex)
            {
                // Deleted meanwhile: nothing to report.
                Log.StatusFailed(logger, ns, name, ex.Message);
            }
        }
    }

    /// <summary>The <c>status.parents[]</c> entries this implementation reports for a route (without transition times).</summary>
    private List<JsonObject> ParentsStatus(StoredObject route)
    {
        var ns = route.Namespace!;
        var generation = (long?)route.Node["metadata"]?["generation"] ?? 1;
        var backendsResolved = (route.Node["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(r => r["backendRefs"] as JsonArray ?? []).OfType<JsonObject>()
            .All(b => IsCoreService(b) && ServiceExists((string?)b["namespace"] ?? ns, (string?)b["name"] ?? ""));
        return (route.Node["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>().Select(parentRef =>
        {
            var (accepted, reason, message) = Accept(parentRef, ns);
            return new JsonObject
            {
                ["parentRef"] = parentRef.DeepClone(),
                ["controllerName"] = ControllerName,
                ["conditions"] = new JsonArray(
                    Condition("Accepted", accepted, reason, message, generation),
                    Condition("ResolvedRefs", backendsResolved, backendsResolved ? "ResolvedRefs" : "BackendNotFound",
                        backendsResolved ? "Resolved all the Object references for the Route" : "a backend Service does not exist", generation)),
            };
        }).ToList();
    }

    private (bool Accepted, string Reason, string Message) Accept(JsonObject parentRef, string routeNamespace)
    {
        var group = (string?)parentRef["group"] ?? Group;
        var kind = (string?)parentRef["kind"] ?? "Gateway";
        var ns = (string?)parentRef["namespace"] ?? routeNamespace;
        var name = (string?)parentRef["name"] ?? "";
        if (group == Group && kind == "Gateway")
        {
            return store.FindType(Group, "v1", "gateways") is { } gateways && store.TryGet(gateways, ns, name) is not null
                ? (true, "Accepted", "Route was valid")
                : (false, "NoMatchingParent", $"Gateway {ns}/{name} not found");
        }

        // GAMMA: a route attached to a Service configures the mesh for requests to that Service.
        if (group is "" or "core" && kind == "Service")
        {
            return ServiceExists(ns, name)
                ? (true, "Accepted", "Route was valid")
                : (false, "NoMatchingParent", $"Service {ns}/{name} not found");
        }

        return (false, "NoMatchingParent", $"parent kind {kind}.{group} is not supported");
    }

    private bool ServiceExists(string ns, string name) => store.TryGet(BuiltinTypes.Services, ns, name) is not null;

    private static bool IsCoreService(JsonObject backendRef) =>
        ((string?)backendRef["group"] ?? "") is "" or "core" && ((string?)backendRef["kind"] ?? "Service") == "Service";

    private static JsonObject Condition(string type, bool status, string reason, string message, long generation) => new()
    {
        ["type"] = type,
        ["status"] = status ? "True" : "False",
        ["reason"] = reason,
        ["message"] = message,
        ["observedGeneration"] = generation,
    };

    /// <summary>Whether the stored parents of this controller already say what <paramref name="desired"/> says (transition times aside).</summary>
    private static bool SameConditions(JsonArray? stored, List<JsonObject> desired)
    {
        var mine = (stored ?? []).OfType<JsonObject>().Where(p => (string?)p["controllerName"] == ControllerName).Select(p =>
        {
            var copy = p.DeepClone().AsObject();
            foreach (var condition in (copy["conditions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                condition.Remove("lastTransitionTime");
            }

            return copy;
        }).ToList();
        return mine.Count == desired.Count && mine.Zip(desired).All(pair => JsonNode.DeepEquals(pair.First, pair.Second));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "gateway controller could not write the status of HTTPRoute {Namespace}/{Name}: {Reason}")]
        public static partial void StatusFailed(ILogger logger, string @namespace, string name, string reason);
    }
}
