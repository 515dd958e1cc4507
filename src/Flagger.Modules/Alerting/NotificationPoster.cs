using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Flagger.Modules.Shared.Json;

namespace Flagger.Modules.Alerting;

/// <summary>
/// POSTs a notification as Go-compatible JSON with a 5 s timeout, an optional proxy and an optional bearer token;
/// any status outside 200–299 is a failure carrying the response body.
/// </summary>
// upstream: pkg/notifier/client.go postMessage
internal sealed class NotificationPoster(TimeProvider time) : IDisposable
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private const int MaxErrorBody = 1024;
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public async Task PostAsync<T>(NotifierEndpoint endpoint, T payload, CancellationToken cancellationToken)
    {
        var client = ClientFor(endpoint.Proxy);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(GoJson.Serialize(payload)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(endpoint.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        }

        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await client.SendAsync(request, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is < 200 or >= 300)
            {
                var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                if (body.Length > MaxErrorBody)
                {
                    body = body[..MaxErrorBody] + "… (truncated)";
                }

                throw new NotificationException($"postMessage failed: sending notification bad response {status}: {body}");
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotificationException($"postMessage failed: sending notification failed to send: timeout after {Timeout.TotalSeconds:0}s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new NotificationException($"postMessage failed: sending notification failed to send: {ex.Message}", ex);
        }
    }

    private HttpClient ClientFor(string? proxy)
    {
        var key = proxy ?? "";
        return _clients.GetOrAdd(key, static p =>
        {
            var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
            if (p.Length > 0)
            {
                if (!Uri.TryCreate(p, UriKind.Absolute, out var proxyUri))
                {
                    handler.Dispose();
                    throw new NotificationException("postMessage failed: unable to parse proxy URL (AlertProvider spec.proxy / --slack-proxy-url / --msteams-proxy-url)");
                }

                handler.Proxy = new WebProxy(proxyUri) { BypassProxyOnLocal = false };
                handler.UseProxy = true;
            }

            return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        });
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
