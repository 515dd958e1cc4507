using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// A small REST client over KubernetesClient's authenticated <see cref="HttpClient"/>: every request has a timeout,
/// every failure becomes a <see cref="KubeApiException"/> carrying the server's <c>Status</c>, and list/watch are
/// generic over any model with a <see cref="KubernetesEntityAttribute"/> (built-in or custom). Every request start
/// passes the client-side <see cref="ClientRateLimiter"/> (none when not given).
/// </summary>
internal sealed class KubeApiClient(k8s.Kubernetes kubernetes, TimeSpan requestTimeout, ClientRateLimiter? rateLimiter = null)
{
    private readonly ClientRateLimiter _rateLimiter = rateLimiter ?? ClientRateLimiter.Unlimited;

    private const string JsonMediaType = "application/json";

    public TimeSpan RequestTimeout => requestTimeout;

    public async Task<T?> GetAsync<T>(string? @namespace, string name, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await SendAsync<T>(HttpMethod.Get, ResourceKind.Of<T>().ObjectPath(@namespace, name), null, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task<T> CreateAsync<T>(T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        SendJsonAsync(HttpMethod.Post, ResourceKind.Of<T>().CollectionPath(obj.Metadata.NamespaceProperty), obj, cancellationToken);

    public Task<T> ReplaceAsync<T>(T obj, string? subresource, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta> =>
        SendJsonAsync(HttpMethod.Put, ResourceKind.Of<T>().ObjectPath(obj.Metadata.NamespaceProperty, obj.Metadata.Name, subresource), obj, cancellationToken);

    public async Task<T> PatchAsync<T>(string? @namespace, string name, V1Patch patch, CancellationToken cancellationToken) where T : class
    {
        var body = patch.Content as string ?? KubernetesJson.Serialize(patch.Content);
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(patch.Type switch
        {
            V1Patch.PatchType.JsonPatch => "application/json-patch+json",
            V1Patch.PatchType.StrategicMergePatch => "application/strategic-merge-patch+json",
            V1Patch.PatchType.ApplyPatch => "application/apply-patch+yaml",
            _ => "application/merge-patch+json",
        });
        return await SendAsync<T>(HttpMethod.Patch, ResourceKind.Of<T>().ObjectPath(@namespace, name), content, cancellationToken)
            ?? throw new KubeApiException(HttpStatusCode.InternalServerError, "EmptyResponse", $"PATCH {name} returned no object");
    }

    public async Task DeleteAsync<T>(string? @namespace, string name, CancellationToken cancellationToken) where T : class
    {
        try
        {
            using var response = await SendRawAsync(HttpMethod.Delete, ResourceKind.Of<T>().ObjectPath(@namespace, name), null, requestTimeout, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone: deleting is idempotent.
        }
    }

    /// <summary>
    /// Lists a collection; returns the items, the list's resourceVersion to start a watch from, and the objects that
    /// could not be read into the model (raw, with the field and reason), which are left out instead of failing the list.
    /// </summary>
    public async Task<(IReadOnlyList<T> Items, string ResourceVersion, IReadOnlyList<UnreadableObject> Rejected)> ListAsync<T>(
        string? @namespace, string? labelSelector, CancellationToken cancellationToken)
        where T : class
    {
        var path = ResourceKind.Of<T>().CollectionPath(@namespace) + (labelSelector is null ? "" : "?labelSelector=" + Uri.EscapeDataString(labelSelector));
        var list = await SendAsync<ObjectList<JsonElement>>(HttpMethod.Get, path, null, cancellationToken)
            ?? throw new KubeApiException(HttpStatusCode.InternalServerError, "EmptyResponse", $"LIST {path} returned nothing");
        var items = new List<T>();
        var rejected = new List<UnreadableObject>();
        foreach (var raw in list.Items ?? [])
        {
            if (TryRead<T>(raw, out var item, out var error))
            {
                items.Add(item);
            }
            else
            {
                rejected.Add(error);
            }
        }

        return (items, list.Metadata?.ResourceVersion ?? "", rejected);
    }

    /// <summary>Reads one object into the model; on failure keeps it raw with the field the JSON reader stopped at.</summary>
    public static bool TryRead<T>(JsonElement raw, [NotNullWhen(true)] out T? item, [NotNullWhen(false)] out UnreadableObject? error) where T : class
    {
        try
        {
            item = KubernetesJson.Deserialize<T>(raw.GetRawText());
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            item = null;
            error = UnreadableObject.From(raw.Clone(), e, typeof(T));
            return false;
        }
    }

    /// <summary>
    /// Streams watch events from <paramref name="resourceVersion"/> with bookmarks. Ends when the server closes the
    /// stream (after <paramref name="timeoutSeconds"/>); a <c>410 Gone</c> arrives as <see cref="KubeApiException"/>.
    /// An object that cannot be read into the model arrives with <c>Rejected</c> set instead of ending the watch.
    /// </summary>
    public async IAsyncEnumerable<(WatchEventType Type, T? Object, UnreadableObject? Rejected)> WatchAsync<T>(
        string? @namespace, string? labelSelector, string resourceVersion, int timeoutSeconds,
        [EnumeratorCancellation] CancellationToken cancellationToken) where T : class
    {
        var path = ResourceKind.Of<T>().CollectionPath(@namespace)
            + $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
            + (labelSelector is null ? "" : "&labelSelector=" + Uri.EscapeDataString(labelSelector));
        // The whole watch may last timeoutSeconds; allow the server some slack before giving up on it.
        using var response = await SendRawAsync(HttpMethod.Get, path, null, TimeSpan.FromSeconds(timeoutSeconds) + requestTimeout, cancellationToken, streaming: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds) + requestTimeout);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var frame = KubernetesJson.Deserialize<WatchFrame>(line);
            if (frame.Type == "ERROR")
            {
                var status = frame.Object.Deserialize<V1Status>();
                throw new KubeApiException((HttpStatusCode)(status?.Code ?? 500), status?.Reason ?? "Error", status?.Message ?? line);
            }

            if (!Enum.TryParse<WatchEventType>(frame.Type, ignoreCase: true, out var type))
            {
                continue;
            }

            yield return TryRead<T>(frame.Object, out var item, out var error) ? (type, item, null) : (type, null, error);
        }
    }

    /// <summary>The server's <c>gitVersion</c> from <c>/version</c>.</summary>
    public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken) =>
        (await SendAsync<VersionInfo>(HttpMethod.Get, "/version", null, cancellationToken))?.GitVersion ?? "unknown";

    /// <summary>Lists at most one object of a kind: proves the kind is installed and readable.</summary>
    public async Task ProbeAsync<T>(CancellationToken cancellationToken) where T : class
    {
        using var response = await SendRawAsync(HttpMethod.Get, ResourceKind.Of<T>().CollectionPath(null) + "?limit=1", null, requestTimeout, cancellationToken);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, T obj, CancellationToken cancellationToken) where T : class
    {
        var content = new StringContent(KubernetesJson.Serialize(obj), Encoding.UTF8, JsonMediaType);
        return await SendAsync<T>(method, path, content, cancellationToken)
            ?? throw new KubeApiException(HttpStatusCode.InternalServerError, "EmptyResponse", $"{method} {path} returned no object");
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) where T : class
    {
        using var response = await SendRawAsync(method, path, content, requestTimeout, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Length == 0 ? null : KubernetesJson.Deserialize<T>(body);
    }

    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken, bool streaming = false)
    {
        // As client-go: the limit applies to starting a request; an established watch stream reads freely.
        await _rateLimiter.WaitAsync(cancellationToken);
        using var request = new HttpRequestMessage(method, new Uri(kubernetes.BaseUri, path.TrimStart('/'))) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        if (kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await kubernetes.HttpClient.SendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cts.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubeApiException(HttpStatusCode.GatewayTimeout, "Timeout", $"{method} {path}: no answer from the API server within {timeout.TotalSeconds:0.#}s", e);
        }
        catch (HttpRequestException e)
        {
            throw new KubeApiException(HttpStatusCode.ServiceUnavailable, "Unreachable", $"{method} {path}: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            V1Status? status = null;
            try
            {
                status = body.StartsWith('{') ? KubernetesJson.Deserialize<V1Status>(body) : null;
            }
            catch (JsonException)
            {
                // Not a Status object; the raw body is reported below.
            }

            throw new KubeApiException(
                response.StatusCode,
                status?.Reason ?? response.ReasonPhrase ?? response.StatusCode.ToString(),
                $"{method} {path}: {(int)response.StatusCode} {status?.Message ?? Truncate(body)}");
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed class ObjectList<T>
    {
        [JsonPropertyName("metadata")]
        public V1ListMeta? Metadata { get; set; }

        [JsonPropertyName("items")]
        public List<T>? Items { get; set; }
    }

    private sealed class WatchFrame
    {
        [JsonPropertyName("type")]
        public string Type { get; set; } = "";

        [JsonPropertyName("object")]
        public JsonElement Object { get; set; }
    }
}
