using System.Collections.Concurrent;
using System.Net;

namespace Flagger.E2E.Environment;

/// <summary>A Slack-compatible incoming-webhook receiver on loopback: answers "ok" and records every POST body.</summary>
public sealed class AlertReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public AlertReceiver()
    {
        Url = $"http://127.0.0.1:{Ports.Free()}/services/e2e/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The webhook URL to give the operator (<c>-slack-url</c>) or an AlertProvider.</summary>
    public string Url { get; }

    /// <summary>Bodies received, in order.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

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

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                Bodies.Enqueue(await reader.ReadToEndAsync());
            }

            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync("ok"u8.ToArray());
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
