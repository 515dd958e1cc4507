using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flagger.Modules.Tests.Analysis;

/// <summary>One request as the stub server saw it.</summary>
internal sealed record RecordedRequest(string Method, string Path, NameValueCollection Query, string RawQuery, NameValueCollection Headers, string Body);

/// <summary>
/// A loopback HTTP server for provider tests: records every request and answers with what <see cref="Respond"/>
/// returns for it (status, body, content type).
/// </summary>
internal sealed class StubHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public StubHttpServer(Func<RecordedRequest, (int Status, string Body)>? respond = null)
    {
        Respond = respond ?? (_ => (200, "{}"));
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public Func<RecordedRequest, (int Status, string Body)> Respond { get; set; }

    /// <summary>Extra response headers per request (e.g. AWS request ids).</summary>
    public Func<RecordedRequest, IReadOnlyDictionary<string, string>>? ResponseHeaders { get; set; }

    /// <summary>When set, the server waits this long before answering (timeout tests).</summary>
    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public RecordedRequest Single()
    {
        Assert.Single(Requests);
        return Requests.First();
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var url = context.Request.Url!;
            var request = new RecordedRequest(
                context.Request.HttpMethod, url.AbsolutePath, System.Web.HttpUtility.ParseQueryString(url.Query),
                url.Query.TrimStart('?'), context.Request.Headers, body);
            Requests.Enqueue(request);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, _stop.Token).ConfigureAwait(false);
            }

            var (status, text) = Respond(request);
            var bytes = Encoding.UTF8.GetBytes(text);
            context.Response.StatusCode = status;
            foreach (var (name, value) in ResponseHeaders?.Invoke(request) ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = text.StartsWith('{') || text.StartsWith('[') ? "application/json" : "text/csv";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away (timeout tests) or the server is stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Close();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}

/// <summary>An <see cref="IHttpClientFactory"/> for tests: plain clients, one per call.</summary>
internal sealed class TestHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}
