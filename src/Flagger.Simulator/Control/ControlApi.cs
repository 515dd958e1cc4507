using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Simulator.Api;
using Flagger.Simulator.Store;
using Flagger.Simulator.Traffic;
using Microsoft.AspNetCore.Http;

namespace Flagger.Simulator.Control;

/// <summary>
/// The <c>/simulator/</c> control endpoints: fault rules, request accounting, closing watches and traffic settings.
/// </summary>
internal sealed class ControlApi(ClusterStore store, FaultInjector faults, RequestAccounting accounting, TrafficModel traffic)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            await RouteAsync(ctx);
        }
        catch (ApiException ex)
        {
            await KubeApiHandler.WriteJsonAsync(ctx, ex.Code, ex.ToStatus());
        }
    }

    private async Task RouteAsync(HttpContext ctx)
    {
        var path = (ctx.Request.Path.Value ?? "").TrimEnd('/');
        var method = ctx.Request.Method;
        switch (path, method)
        {
            case ("/simulator/requests", "GET"):
                await KubeApiHandler.WriteJsonAsync(ctx, 200, accounting.ToJson());
                return;
            case ("/simulator/requests", "DELETE") or ("/simulator/requests/reset", "POST"):
                accounting.Reset();
                await KubeApiHandler.WriteJsonAsync(ctx, 200, accounting.ToJson());
                return;
            case ("/simulator/faults", "GET"):
                await KubeApiHandler.WriteJsonAsync(ctx, 200, JsonSerializer.SerializeToNode(faults.Rules(), Json)!);
                return;
            case ("/simulator/faults", "POST"):
            {
                var rule = await ReadAsync<FaultRule>(ctx);
                if (faults.Add(rule) is { } error)
                {
                    throw ApiException.BadRequest(error);
                }

                await KubeApiHandler.WriteJsonAsync(ctx, 201, JsonSerializer.SerializeToNode(rule, Json)!);
                return;
            }

            case ("/simulator/faults", "DELETE"):
                faults.Clear();
                await KubeApiHandler.WriteJsonAsync(ctx, 200, new JsonArray());
                return;
            case ("/simulator/watches/close", "POST"):
            {
                var resource = ctx.Request.Query["resource"].ToString();
                var closed = store.CloseWatches(w => resource.Length == 0 || w.Type.Plural == resource);
                await KubeApiHandler.WriteJsonAsync(ctx, 200, new JsonObject { ["closed"] = closed });
                return;
            }

            case ("/simulator/traffic", "GET"):
                await KubeApiHandler.WriteJsonAsync(ctx, 200, traffic.Describe());
                return;
            case ("/simulator/traffic", "POST"):
            {
                var body = await ReadAsync<TrafficRequest>(ctx);
                if (string.IsNullOrEmpty(body.Namespace) || string.IsNullOrEmpty(body.Service))
                {
                    throw ApiException.BadRequest("namespace and service: Required value");
                }

                if (body.Rps is < 0 or > 1_000_000)
                {
                    throw ApiException.BadRequest("rps: Invalid value: must be between 0 and 1000000");
                }

                traffic.SetSource(body.Namespace, body.Service, new TrafficSource(body.Rps, TrafficModel.ParseHeaders(body.Headers)));
                await KubeApiHandler.WriteJsonAsync(ctx, 200, traffic.Describe());
                return;
            }

            case ("/simulator/traffic/tick", "POST"):
                traffic.Tick(traffic.Period);
                await KubeApiHandler.WriteJsonAsync(ctx, 200, traffic.Describe());
                return;
            default:
                throw new ApiException(404, "NotFound",
                    $"no control endpoint {method} {path}; see GET/DELETE /simulator/requests, GET/POST/DELETE /simulator/faults, POST /simulator/watches/close, GET /simulator/traffic");
        }
    }

    private sealed record TrafficRequest(string? Namespace, string? Service, double Rps, string? Headers);

    private static async Task<T> ReadAsync<T>(HttpContext ctx)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(ctx.Request.Body, Json, ctx.RequestAborted)
                ?? throw ApiException.BadRequest("request body is empty");
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"invalid JSON at {ex.Path}: {ex.Message}");
        }
    }
}
