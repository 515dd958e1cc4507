using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Flagger.Runtime.Tests;

/// <summary>A webhook receiver on loopback that answers with a settable status code and records each request body.</summary>
internal sealed class HookServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public HookServer()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public int StatusCode { get; set; } = 200;

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
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            Bodies.Enqueue(await reader.ReadToEndAsync());
            context.Response.StatusCode = StatusCode;
            await context.Response.OutputStream.WriteAsync("hook says no"u8.ToArray());
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
