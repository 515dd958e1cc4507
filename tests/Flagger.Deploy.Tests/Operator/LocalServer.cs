using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>One request a <see cref="LocalServer"/> received.</summary>
internal sealed record ReceivedRequest(string Method, string PathAndQuery, string? Authorization, string Body);

/// <summary>
/// An HTTP server on loopback answering every request with <see cref="Respond"/> (default 200 "ok") and recording
/// it: stands in for a webhook target, a Slack endpoint or a Prometheus API.
/// </summary>
internal sealed class LocalServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LocalServer(Func<ReceivedRequest, (int Status, string Body)>? respond = null)
    {
        Respond = respond ?? (_ => (200, "ok"));
        using (var socket = new TcpListener(IPAddress.Loopback, 0))
        {
            socket.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)socket.LocalEndpoint).Port}/";
        }

        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public Func<ReceivedRequest, (int Status, string Body)> Respond { get; set; }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url?.PathAndQuery ?? "",
                context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
            Received.Enqueue(request);
            var (status, body) = Respond(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
