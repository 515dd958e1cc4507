using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flagger.Simulator.Api.Protobuf;
using Flagger.Simulator.Auth;
using Flagger.Simulator.Control;
using Flagger.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace Flagger.Simulator.Api;

/// <summary>A parsed resource request: kind, requested version, namespace, name and subresource.</summary>
internal sealed record ResourceRequest(ResourceType Type, string Version, string? Namespace, string? Name, string? Subresource, string Verb);

/// <summary>
/// The Kubernetes REST surface: routes a request to discovery, OpenAPI or a resource verb, applies fault injection
/// and request accounting, and writes JSON (or Table) responses and watch streams.
/// </summary>
internal sealed class KubeApiHandler(ClusterStore store, SimulatorOptions options, Authenticator authenticator, FaultInjector faults, RequestAccounting accounting,
    SimulatorTelemetry telemetry)
{
    private readonly RbacAuthorizer? rbac = options.EnforceRbac ? new RbacAuthorizer(store) : null;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly ListSnapshots snapshots = new(store.Time);

    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            await RouteAsync(ctx);
        }
        catch (ApiException ex)
        {
            await WriteStatusAsync(ctx, ex);
        }
        catch (BadHttpRequestException ex)
        {
            await WriteStatusAsync(ctx, ApiException.BadRequest(ex.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away (e.g. a watch was closed); nothing left to answer.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The HTTP boundary: a simulator bug becomes a real Status the client can print, not an empty 500.
            await WriteStatusAsync(ctx, new ApiException(500, "InternalError", $"simulator error: {ex.GetType().Name}: {ex.Message} at {ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}"));
        }
    }

    private async Task RouteAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path.TrimEnd('/');
        }

        switch (path)
        {
            case "/healthz" or "/readyz" or "/livez":
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted);
                return;
            case "/version":
                accounting.Record(new ApiRequest("get", "", "", "", "", "", ctx.Request.Headers.UserAgent.ToString(), "/version"));
                await WriteJsonAsync(ctx, 200, Discovery.Version());
                return;
        }

        var segs = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var user = Authenticate(ctx, path, segs);

        if (segs.Length == 0)
        {
            await WriteJsonAsync(ctx, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version") });
            return;
        }

        switch (segs[0])
        {
            case "api" when segs.Length == 1:
                await WriteJsonAsync(ctx, 200, Discovery.CoreVersions(ctx.Request.Host.Value ?? "127.0.0.1"));
                return;
            case "apis" when segs.Length == 1:
                await WriteJsonAsync(ctx, 200, Discovery.Groups(store.Types()));
                return;
            case "api" when segs.Length == 2:
                await WriteJsonAsync(ctx, 200, Discovery.Resources(store.Types(), "", segs[1]) ?? throw ApiException.ResourceNotFound());
                return;
            case "apis" when segs.Length == 2:
                throw ApiException.ResourceNotFound();
            case "apis" when segs.Length == 3:
                await WriteJsonAsync(ctx, 200, Discovery.Resources(store.Types(), segs[1], segs[2]) ?? throw ApiException.ResourceNotFound());
                return;
            case "openapi":
                await OpenApiAsync(ctx, segs);
                return;
            case "api":
                await ResourceAsync(ctx, user, "", segs[1], segs[2..]);
                return;
            case "apis":
                await ResourceAsync(ctx, user, segs[1], segs[2], segs[3..]);
                return;
            default:
                throw ApiException.ResourceNotFound();
        }
    }

    /// <summary>
    /// The request's user (401 for a bad credential); non-resource paths are authorized here, resource requests once parsed.
    /// kubectl (client-go) sends no credentials over plain http, so an absent header is an anonymous request (allowed
    /// unless RBAC is enforced, like --anonymous-auth with permissive authorization).
    /// </summary>
    private UserInfo Authenticate(HttpContext ctx, string path, string[] segs)
    {
        var user = authenticator.Authenticate(ctx.Request.Headers.Authorization.ToString())
            ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
        if (!(segs.Length >= 3 && segs[0] == "api") && !(segs.Length >= 4 && segs[0] == "apis"))
        {
            Authorize(user, new RequestAttributes(ctx.Request.Method == "GET" ? "get" : ctx.Request.Method.ToLowerInvariant(), "", "", "", "", "", path));
        }

        return user;
    }

    private void Authorize(UserInfo user, RequestAttributes request)
    {
        if (rbac is not null && !rbac.Allows(user, request))
        {
            throw RbacAuthorizer.Forbidden(user, request);
        }
    }

    private async Task OpenApiAsync(HttpContext ctx, string[] segs)
    {
        if (segs.Length >= 2 && segs[1] == "v3")
        {
            if (segs.Length == 2)
            {
                await WriteJsonAsync(ctx, 200, Discovery.OpenApiV3Index(store.Types()));
                return;
            }

            var gv = string.Join('/', segs[2..]);
            var doc = OpenApi.GroupVersionDocument(store.Types(), gv) ?? throw ApiException.ResourceNotFound();
            await WriteJsonAsync(ctx, 200, doc);
            return;
        }

        throw ApiException.ResourceNotFound();
    }

    private static ResourceRequest Parse(ClusterStore store, string method, string group, string version, string[] rest, IQueryCollection query)
    {
        string? ns = null;
        string resource;
        string? name = null;
        string? sub = null;
        if (rest.Length == 0)
        {
            throw ApiException.ResourceNotFound();
        }

        if (group.Length == 0 && rest[0] == "namespaces" && (rest.Length <= 2 || (rest.Length == 3 && rest[2] is "status" or "finalize")))
        {
            resource = "namespaces";
            name = rest.Length > 1 ? rest[1] : null;
            sub = rest.Length > 2 ? rest[2] : null;
        }
        else if (rest[0] == "namespaces" && rest.Length >= 3)
        {
            ns = rest[1];
            resource = rest[2];
            name = rest.Length > 3 ? rest[3] : null;
            sub = rest.Length > 4 ? rest[4] : null;
            if (rest.Length > 5)
            {
                throw ApiException.ResourceNotFound();
            }
        }
        else
        {
            resource = rest[0];
            name = rest.Length > 1 ? rest[1] : null;
            sub = rest.Length > 2 ? rest[2] : null;
            if (rest.Length > 3)
            {
                throw ApiException.ResourceNotFound();
            }
        }

        var type = store.FindType(group, version, resource) ?? throw ApiException.ResourceNotFound();
        if ((ns is not null && !type.Namespaced) || (type.Namespaced && ns is null && name is not null))
        {
            throw ApiException.ResourceNotFound();
        }

        if (sub is not null && !(sub == "status" && type.HasStatus) && !(sub == "scale" && type.HasScale) && !(sub == "finalize" && type == BuiltinTypes.Namespaces))
        {
            throw ApiException.ResourceNotFound();
        }

        var watch = query["watch"].ToString() is "1" or "true";
        var verb = method switch
        {
            "GET" when watch => "watch",
            "GET" when name is null => "list",
            "GET" => "get",
            "POST" when name is null => "create",
            "PUT" when name is not null => "update",
            "PATCH" when name is not null => "patch",
            "DELETE" when name is null => "deletecollection",
            "DELETE" => "delete",
            _ => throw ApiException.MethodNotAllowed(method, type),
        };
        return new ResourceRequest(type, version, ns, name, sub, verb);
    }

    private async Task ResourceAsync(HttpContext ctx, UserInfo user, string group, string version, string[] rest)
    {
        var query = ctx.Request.Query;
        var req = Parse(store, ctx.Request.Method, group, version, rest, query);
        var userAgent = ctx.Request.Headers.UserAgent.ToString();
        accounting.Record(new ApiRequest(req.Verb, group, req.Type.Plural, req.Subresource ?? "", req.Namespace ?? "", req.Name ?? "", userAgent));
        var resourceName = req.Subresource is null ? req.Type.Plural : req.Type.Plural + "/" + req.Subresource;
        accounting.Record(req.Verb, resourceName, req.Namespace, userAgent);
        ctx.Response.OnCompleted(() =>
        {
            telemetry.Request(req.Verb, resourceName, ctx.Response.StatusCode);
            return Task.CompletedTask;
        });

        // Recorded and counted before authorization, as an audit log records denied requests too.
        Authorize(user, new RequestAttributes(req.Verb, group, req.Type.Plural, req.Subresource ?? "", req.Namespace ?? "", req.Name ?? ""));
        var fault = faults.Match(req.Verb, resourceName, req.Namespace, req.Name, userAgent);
        if (fault is not null)
        {
            if (fault.LatencyMs > 0)
            {
                await Task.Delay(fault.LatencyMs, ctx.RequestAborted);
            }

            if (fault.Status is { } code)
            {
                if (code == 429)
                {
                    ctx.Response.Headers.RetryAfter = "1";
                }

                throw new ApiException(code, FaultInjector.ReasonFor(code), $"injected fault: {fault.Describe()}");
            }
        }

        switch (req.Verb)
        {
            case "get":
                await GetAsync(ctx, req);
                break;
            case "list":
                await ListAsync(ctx, req);
                break;
            case "watch":
                using (telemetry.Watch(resourceName))
                {
                    await WatchAsync(ctx, req, fault?.DropWatch == true);
                }

                break;
            case "create":
                await CreateAsync(ctx, req);
                break;
            case "update":
                await UpdateAsync(ctx, req);
                break;
            case "patch":
                await PatchAsync(ctx, req);
                break;
            case "delete":
                await DeleteAsync(ctx, req);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(ctx, req);
                break;
        }
    }

    // ---- verbs ----

    private async Task GetAsync(HttpContext ctx, ResourceRequest req)
    {
        var obj = store.Get(req.Type, req.Namespace, req.Name!);
        if (req.Subresource == "scale")
        {
            await WriteJsonAsync(ctx, 200, store.Read(() => ScaleOf(obj)));
            return;
        }

        if (Tables.Wanted(ctx.Request.Headers.Accept))
        {
            var table = store.Read(() => Tables.Build(req.Type, [Versioned(obj.Node, req)], obj.ResourceVersion, IncludeObject(ctx), store.Time.GetUtcNow()));
            await WriteJsonAsync(ctx, 200, table);
            return;
        }

        await WriteBytesAsync(ctx, 200, BytesFor(obj, req));
    }

    private static string IncludeObject(HttpContext ctx) => ctx.Request.Query["includeObject"].ToString() is { Length: > 0 } v ? v : "Metadata";

    private async Task ListAsync(HttpContext ctx, ResourceRequest req)
    {
        var labels = LabelSelector.Parse(ctx.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(ctx.Request.Query["fieldSelector"], req.Type);
        if (Tables.Wanted(ctx.Request.Headers.Accept))
        {
            var table = store.Read(() =>
            {
                var (rv, items) = store.List(req.Type, req.Namespace, labels, fields);
                return Tables.Build(req.Type, items.Select(i => Versioned(i.Node, req)), rv, IncludeObject(ctx), store.Time.GetUtcNow());
            });
            await WriteJsonAsync(ctx, 200, table);
            return;
        }

        var (resourceVersion, list) = store.List(req.Type, req.Namespace, labels, fields);
        var query = $"{req.Type.Key}|{req.Namespace}|{ctx.Request.Query["labelSelector"]}|{ctx.Request.Query["fieldSelector"]}";
        var page = snapshots.Page(query, ctx.Request.Query["limit"].ToString(), ctx.Request.Query["continue"].ToString(), list, ref resourceVersion);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var apiVersion = req.Type.ApiVersionFor(req.Version);
        var head = Encoding.UTF8.GetBytes(
            $"{{\"kind\":\"{req.Type.ListKind}\",\"apiVersion\":\"{apiVersion}\",\"metadata\":{{\"resourceVersion\":\"{resourceVersion}\"{page.Metadata}}},\"items\":[");
        list = page.Items;
        var body = ctx.Response.BodyWriter;
        body.Write(head);
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(BytesFor(list[i], req));
        }

        body.Write("]}"u8);
        await body.FlushAsync(ctx.RequestAborted);
    }

    private async Task WatchAsync(HttpContext ctx, ResourceRequest req, bool drop)
    {
        var labels = LabelSelector.Parse(ctx.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(ctx.Request.Query["fieldSelector"], req.Type);
        if (req.Name is not null)
        {
            fields = FieldSelector.Parse("metadata.name=" + req.Name + (ctx.Request.Query["fieldSelector"].ToString() is { Length: > 0 } f ? "," + f : ""), req.Type);
        }

        var bookmarks = ctx.Request.Query["allowWatchBookmarks"].ToString() is "true" or "1";
        var asTable = Tables.Wanted(ctx.Request.Headers.Accept);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        if (int.TryParse(ctx.Request.Query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        Watcher watcher;
        try
        {
            watcher = store.Watch(req.Type, req.Namespace, labels, fields, ctx.Request.Query["resourceVersion"]);
        }
        catch (ApiException ex) when (ex.Code == 410)
        {
            // Like the real server: 200, then one ERROR event carrying the 410 Status.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            await WriteEventAsync(ctx, "ERROR", JsonSerializer.SerializeToUtf8Bytes(ex.ToStatus()), ctx.RequestAborted);
            return;
        }

        try
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers.CacheControl = "no-cache, private";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
            if (drop)
            {
                return;
            }

            var reader = watcher.Channel.Reader;
            while (!timeout.IsCancellationRequested)
            {
                Task<bool> wait = reader.WaitToReadAsync(timeout.Token).AsTask();
                if (bookmarks)
                {
                    var delay = Task.Delay(options.BookmarkInterval, timeout.Token);
                    if (await Task.WhenAny(wait, delay) == delay)
                    {
                        var rv = store.Read(() => reader.Count == 0 ? store.CurrentResourceVersion : -1);
                        if (rv >= 0)
                        {
                            var bookmark = new JsonObject
                            {
                                ["kind"] = req.Type.Kind,
                                ["apiVersion"] = req.Type.ApiVersionFor(req.Version),
                                ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
                            };
                            await WriteEventAsync(ctx, "BOOKMARK", JsonSerializer.SerializeToUtf8Bytes(bookmark), ctx.RequestAborted);
                        }

                        continue;
                    }
                }

                if (!await wait)
                {
                    return;
                }

                while (reader.TryRead(out var evt))
                {
                    var payload = asTable
                        ? JsonSerializer.SerializeToUtf8Bytes(store.Read(() => Tables.Build(req.Type, [Versioned(evt.Object.Node, req)], evt.Object.ResourceVersion, IncludeObject(ctx), store.Time.GetUtcNow())))
                        : BytesFor(evt.Object, req);
                    WriteEvent(ctx, evt.Type, payload);
                }

                await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // timeoutSeconds elapsed or the client disconnected: the stream ends normally.
        }
        finally
        {
            store.StopWatch(watcher);
        }
    }

    private static void WriteEvent(HttpContext ctx, string type, byte[] payload)
    {
        var writer = ctx.Response.BodyWriter;
        writer.Write(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":"));
        writer.Write(payload);
        writer.Write("}"u8);
        writer.Write(NewLine);
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, byte[] payload, CancellationToken ct)
    {
        WriteEvent(ctx, type, payload);
        await ctx.Response.BodyWriter.FlushAsync(ct);
    }

    private async Task CreateAsync(HttpContext ctx, ResourceRequest req)
    {
        if (req.Subresource is not null)
        {
            throw ApiException.MethodNotAllowed("POST", req.Type);
        }

        var body = await ReadObjectAsync(ctx);
        var created = store.WithOptions(Options(ctx), () => store.Create(req.Type, req.Namespace, body));
        await WriteBytesAsync(ctx, 201, BytesFor(created, req));
    }

    private async Task UpdateAsync(HttpContext ctx, ResourceRequest req)
    {
        var body = await ReadObjectAsync(ctx);
        if (req.Subresource == "scale")
        {
            await WriteScaleAsync(ctx, req, _ => body);
            return;
        }

        // Custom resources and CRDs do not allow unconditional updates (their strategies say so upstream).
        if ((req.Type.IsCustom || req.Type == BuiltinTypes.CustomResourceDefinitions) &&
            string.IsNullOrEmpty(body["metadata"]?["resourceVersion"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)body["metadata"]!["resourceVersion"] : null))
        {
            throw ApiException.Invalid(req.Type, req.Name!, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update");
        }

        var manager = Manager(ctx);
        var updated = store.WithOptions(Options(ctx), () => store.Update(req.Type, req.Namespace, req.Name!, body, req.Subresource == "status",
            existing => ServerSideApply.RecordUpdate(req.Type, existing, body, manager)));
        await WriteBytesAsync(ctx, 200, BytesFor(updated, req));
    }

    /// <summary><c>dryRun=All</c> and <c>fieldValidation=Strict</c> of a write request.</summary>
    private static RequestOptions Options(HttpContext ctx)
    {
        var dryRun = ctx.Request.Query["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
        {
            throw ApiException.BadRequest($"dryRun: Unsupported value: \"{dryRun}\": supported values: \"All\"");
        }

        var validation = ctx.Request.Query["fieldValidation"].ToString();
        if (validation.Length > 0 && validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{validation}\": supported values: \"Ignore\", \"Warn\", \"Strict\"");
        }

        return new RequestOptions(dryRun == "All", validation == "Strict");
    }

    private static string Manager(HttpContext ctx)
    {
        if (ctx.Request.Query["fieldManager"].ToString() is { Length: > 0 } m)
        {
            return m;
        }

        var ua = ctx.Request.Headers.UserAgent.ToString();
        var slash = ua.IndexOf('/');
        return slash > 0 ? ua[..slash] : ua.Length > 0 ? ua : "unknown";
    }

    private async Task PatchAsync(HttpContext ctx, ResourceRequest req)
    {
        var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var text = await ReadBodyAsync(ctx);
        var status = req.Subresource == "status";
        Func<JsonObject, JsonObject> apply;
        switch (contentType)
        {
            case "application/merge-patch+json":
            {
                var patch = BodyParser.ParseJson(text) as JsonObject ?? throw ApiException.BadRequest("a merge patch must be a JSON object");
                apply = current => Patching.MergePatch(current, patch) as JsonObject ?? throw ApiException.BadRequest("patch produced a non-object");
                break;
            }

            case "application/json-patch+json":
            {
                var patch = BodyParser.ParseJson(text);
                apply = current => Patching.JsonPatch(current, patch) as JsonObject ?? throw ApiException.BadRequest("patch produced a non-object");
                break;
            }

            case "application/strategic-merge-patch+json":
            {
                if (req.Type.IsCustom)
                {
                    throw new ApiException(415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                }

                var patch = BodyParser.ParseJson(text) as JsonObject ?? throw ApiException.BadRequest("a strategic merge patch must be a JSON object");
                apply = current => Patching.StrategicMerge(current, patch) as JsonObject ?? throw ApiException.BadRequest("patch produced a non-object");
                break;
            }

            case "application/apply-patch+yaml":
                await ApplyAsync(ctx, req, text);
                return;
            default:
                throw new ApiException(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{contentType}\")");
        }

        if (req.Subresource == "scale")
        {
            await WriteScaleAsync(ctx, req, apply);
            return;
        }

        var manager = Manager(ctx);
        var patched = store.WithOptions(Options(ctx), () => store.Patch(req.Type, req.Namespace, req.Name!, status, existing =>
        {
            var body = apply(existing!.CloneNode());
            return (body, ServerSideApply.RecordUpdate(req.Type, existing, body, manager));
        }));
        await WriteBytesAsync(ctx, 200, BytesFor(patched, req));
    }

    private async Task ApplyAsync(HttpContext ctx, ResourceRequest req, string text)
    {
        var manager = ctx.Request.Query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            throw ApiException.BadRequest("fieldManager: Required value: is required for apply patch");
        }

        var force = ctx.Request.Query["force"].ToString() is "true" or "1";
        var applied = BodyParser.ParseYamlObject(text);
        if (string.IsNullOrEmpty((string?)applied["apiVersion"]) || string.IsNullOrEmpty((string?)applied["kind"]))
        {
            throw ApiException.BadRequest("apiVersion and kind must be set in an apply patch");
        }

        if (applied["metadata"] is not JsonObject meta)
        {
            throw ApiException.BadRequest("metadata: Required value: an apply patch needs metadata.name");
        }

        meta["name"] ??= req.Name;
        var status = req.Subresource == "status";
        var result = store.WithOptions(Options(ctx), () => store.Patch(req.Type, req.Namespace, req.Name!, status, existing =>
        {
            var (body, managers) = ServerSideApply.Apply(req.Type, existing, (JsonObject)applied.DeepClone(), manager, force);
            return (body, managers);
        }, createIfMissing: true));
        await WriteBytesAsync(ctx, 200, BytesFor(result, req));
    }

    private async Task DeleteAsync(HttpContext ctx, ResourceRequest req)
    {
        var (policy, uid, rv) = await DeleteOptionsAsync(ctx);
        var (obj, gone) = store.WithOptions(Options(ctx), () => store.Delete(req.Type, req.Namespace, req.Name!, policy, uid, rv));
        if (gone && !req.Type.IsCustom)
        {
            await WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = new JsonObject { ["name"] = obj.Name, ["group"] = req.Type.Group, ["kind"] = req.Type.Plural, ["uid"] = obj.Uid },
            });
            return;
        }

        await WriteBytesAsync(ctx, 200, BytesFor(obj, req));
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, ResourceRequest req)
    {
        var (policy, _, _) = await DeleteOptionsAsync(ctx);
        var labels = LabelSelector.Parse(ctx.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(ctx.Request.Query["fieldSelector"], req.Type);
        var (_, items) = store.List(req.Type, req.Namespace, labels, fields);
        var deleted = new List<StoredObject>();
        foreach (var item in items)
        {
            try
            {
                deleted.Add(store.WithOptions(Options(ctx), () => store.Delete(req.Type, item.Namespace, item.Name, policy)).Object);
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Already removed by garbage collection of an earlier item.
            }
        }

        var list = new JsonObject
        {
            ["kind"] = req.Type.ListKind,
            ["apiVersion"] = req.Type.ApiVersionFor(req.Version),
            ["metadata"] = new JsonObject { ["resourceVersion"] = store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(deleted.Select(d => JsonNode.Parse(BytesFor(d, req))).ToArray()),
        };
        await WriteJsonAsync(ctx, 200, list);
    }

    private static async Task<(string? Policy, string? Uid, string? Rv)> DeleteOptionsAsync(HttpContext ctx)
    {
        var policy = ctx.Request.Query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        string? uid = null;
        string? rv = null;
        var text = await ReadBodyAsync(ctx);
        if (!string.IsNullOrWhiteSpace(text))
        {
            var options = BodyParser.ParseJson(text) as JsonObject ?? throw ApiException.BadRequest("DeleteOptions must be a JSON object");
            policy = (string?)options["propagationPolicy"] ?? policy;
            if ((bool?)options["orphanDependents"] == true)
            {
                policy ??= "Orphan";
            }

            uid = (string?)options["preconditions"]?["uid"];
            rv = (string?)options["preconditions"]?["resourceVersion"];
        }

        return (policy, uid, rv);
    }

    // ---- scale subresource ----

    private static JsonObject ScaleOf(StoredObject obj)
    {
        var meta = obj.Metadata;
        var selector = StoredObject.ReadMap(obj.Node["spec"]?["selector"]?["matchLabels"]);
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = obj.Name,
                ["namespace"] = obj.Namespace,
                ["uid"] = obj.Uid,
                ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                ["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = (long?)obj.Node["spec"]?["replicas"] ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = (long?)obj.Node["status"]?["replicas"] ?? 0,
                ["selector"] = string.Join(",", selector.Select(kv => kv.Key + "=" + kv.Value)),
            },
        };
    }

    private async Task WriteScaleAsync(HttpContext ctx, ResourceRequest req, Func<JsonObject, JsonObject> change)
    {
        var updated = store.WithOptions(Options(ctx), () => store.Patch(req.Type, req.Namespace, req.Name!, status: false, existing =>
        {
            var scale = change(ScaleOf(existing!));
            if ((string?)scale["metadata"]?["resourceVersion"] is { Length: > 0 } rv && rv != existing!.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(req.Type, req.Name!, "the object has been modified; please apply your changes to the latest version and try again");
            }

            if (scale["spec"]?["replicas"] is not JsonValue replicas || !replicas.TryGetValue<long>(out var n) || n < 0)
            {
                throw ApiException.Invalid(req.Type, req.Name!, "spec.replicas", "Invalid value: must be a non-negative integer");
            }

            var body = existing!.CloneNode();
            body["spec"]!["replicas"] = n;
            return (body, existing.Managers);
        }));
        await WriteJsonAsync(ctx, 200, store.Read(() => ScaleOf(updated)));
    }

    // ---- output ----

    private static JsonObject Versioned(JsonObject node, ResourceRequest req)
    {
        if (req.Version == req.Type.StorageVersion)
        {
            return node;
        }

        var copy = (JsonObject)node.DeepClone();
        copy["apiVersion"] = req.Type.ApiVersionFor(req.Version);
        return copy;
    }

    private static byte[] BytesFor(StoredObject obj, ResourceRequest req)
    {
        if (req.Version == req.Type.StorageVersion || !req.Type.IsCustom)
        {
            return obj.Json;
        }

        var copy = JsonNode.Parse(obj.Json)!.AsObject();
        copy["apiVersion"] = req.Type.ApiVersionFor(req.Version);
        return JsonSerializer.SerializeToUtf8Bytes(copy);
    }

    /// <summary>A create or update body: JSON, or protobuf as client-go's typed clients (and kubectl's generators) send it.</summary>
    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        if (!ProtobufBody.Is(ctx.Request.ContentType))
        {
            return BodyParser.ParseObject(await ReadBodyAsync(ctx));
        }

        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        return ProtobufBody.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static async Task<string> ReadBodyAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentType?.Contains("protobuf", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \"{ctx.Request.ContentType}\")");
        }

        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ctx.RequestAborted);
    }

    private static async Task WriteBytesAsync(HttpContext ctx, int code, byte[] body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    internal static Task WriteJsonAsync(HttpContext ctx, int code, JsonNode body) =>
        WriteBytesAsync(ctx, code, JsonSerializer.SerializeToUtf8Bytes(body));

    private static async Task WriteStatusAsync(HttpContext ctx, ApiException ex)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        await WriteJsonAsync(ctx, ex.Code, ex.ToStatus());
    }
}
