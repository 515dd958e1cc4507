using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Tests.Analysis.Providers;

/// <summary>One data message the fake streams: (tsid, value type 1 long / 2 double / 3 int / other, raw 8 value bytes).</summary>
internal sealed record FakeDatum(long Tsid, byte Type, double Value);

/// <summary>
/// A loopback SignalFx realm on Kestrel: the SignalFlow websocket at <c>/v2/signalflow/connect</c> enforces the
/// sequence (authenticate with the right token first, else an error and a close; then execute with program, channel,
/// start/stop and immediate), answers STREAM_START, JOB_START, metadata, binary data messages (optionally gzip-compressed)
/// and END_OF_CHANNEL; <c>GET /v2/metric?limit=1</c> checks <c>X-SF-Token</c>.
/// </summary>
internal sealed class FakeSignalFx : IAsyncDisposable
{
    public const string Token = "sf-token-1";
    private readonly WebApplication _app;

    private FakeSignalFx(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Data messages to stream for an executed program (each inner list is one message).</summary>
    public Func<string, IReadOnlyList<IReadOnlyList<FakeDatum>>> Data { get; set; } = _ => [];

    /// <summary>When set, an error message for the channel instead of data.</summary>
    public string? ProgramError { get; set; }

    /// <summary>When true, the fake never ends the channel (timeout tests).</summary>
    public bool Hang { get; set; }

    public bool Compress { get; set; }

    /// <summary>Every execute request the fake accepted.</summary>
    public ConcurrentQueue<JsonElement> Executes { get; } = new();

    public ConcurrentQueue<string> Protocol { get; } = new();

    public static async Task<FakeSignalFx> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseWebSockets();
        FakeSignalFx? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new FakeSignalFx(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/v2/metric" && context.Request.QueryString.Value == "?limit=1")
        {
            var ok = context.Request.Headers["X-SF-Token"] == Token;
            context.Response.StatusCode = ok ? 200 : 401;
            await context.Response.WriteAsync(ok ? """{"count":1,"results":[{"name":"cpu.utilization"}]}""" : """{"message":"Unauthorized"}""");
            return;
        }

        if (context.Request.Path != "/v2/signalflow/connect" || !context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await RunSessionAsync(socket, context.RequestAborted);
    }

    private async Task RunSessionAsync(WebSocket socket, CancellationToken ct)
    {
        var authenticated = false;
        while (await ReceiveTextAsync(socket, ct) is { } text)
        {
            using var doc = JsonDocument.Parse(text);
            var m = doc.RootElement;
            var type = m.GetProperty("type").GetString();
            Protocol.Enqueue(type!);
            if (type == "authenticate")
            {
                if (m.GetProperty("token").GetString() != Token)
                {
                    await SendTextAsync(socket, """{"type":"error","error":401,"message":"Invalid auth token"}""", ct);
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unauthorized", ct);
                    return;
                }

                authenticated = true;
                await SendTextAsync(socket, """{"type":"authenticated","orgId":"org","userId":"user"}""", ct);
            }
            else if (type == "execute" && authenticated
                && m.TryGetProperty("program", out _) && m.GetProperty("immediate").GetBoolean()
                && m.GetProperty("stop").GetInt64() > m.GetProperty("start").GetInt64())
            {
                Executes.Enqueue(m.Clone());
                await StreamAsync(socket, m.GetProperty("channel").GetString()!, m.GetProperty("program").GetString()!, ct);
            }
            else
            {
                await SendTextAsync(socket, """{"type":"error","error":400,"message":"unexpected message"}""", ct);
                await socket.CloseAsync(WebSocketCloseStatus.ProtocolError, "unexpected", ct);
                return;
            }
        }
    }

    private async Task StreamAsync(WebSocket socket, string channel, string program, CancellationToken ct)
    {
        await SendTextAsync(socket, $$"""{"type":"control-message","channel":"{{channel}}","event":"STREAM_START"}""", ct);
        await SendTextAsync(socket, $$"""{"type":"control-message","channel":"{{channel}}","event":"JOB_START","handle":"h1"}""", ct);
        if (ProgramError is { } error)
        {
            await SendTextAsync(socket, $$"""{"type":"error","error":400,"errorType":"ANALYTICS_PROGRAM_ERROR","message":"{{error}}","channel":"{{channel}}"}""", ct);
            return;
        }

        var messages = Data(program);
        foreach (var tsid in messages.SelectMany(d => d).Select(d => d.Tsid).Distinct())
        {
            await SendTextAsync(socket, $$$"""{"type":"metadata","channel":"{{{channel}}}","tsId":"{{{tsid}}}","properties":{"sf_metric":"demo"}}""", ct);
        }

        var timestamp = 1_700_000_000_000L;
        foreach (var message in messages)
        {
            await socket.SendAsync(DataMessage(channel, timestamp += 1000, message, Compress), WebSocketMessageType.Binary, true, ct);
        }

        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, ct);
        }

        await SendTextAsync(socket, $$"""{"type":"control-message","channel":"{{channel}}","event":"END_OF_CHANNEL","handle":"h1"}""", ct);
    }

    private static byte[] DataMessage(string channel, long timestamp, IReadOnlyList<FakeDatum> data, bool compress)
    {
        var body = new byte[12 + (17 * data.Count)];
        BinaryPrimitives.WriteUInt64BigEndian(body, (ulong)timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), (uint)data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            var p = body.AsSpan(12 + (17 * i), 17);
            p[0] = data[i].Type;
            BinaryPrimitives.WriteInt64BigEndian(p[1..], data[i].Tsid);
            switch (data[i].Type)
            {
                case 1: BinaryPrimitives.WriteInt64BigEndian(p[9..], (long)data[i].Value); break;
                case 3: BinaryPrimitives.WriteInt32BigEndian(p[9..], (int)data[i].Value); break;
                default: BinaryPrimitives.WriteDoubleBigEndian(p[9..], data[i].Value); break;
            }
        }

        if (compress)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(body);
            }

            body = buffer.ToArray();
        }

        var header = new byte[20];
        header[0] = 1;
        header[1] = 5;
        header[2] = (byte)(compress ? 1 : 0);
        Encoding.ASCII.GetBytes(channel).CopyTo(header, 4);
        return [.. header, .. body];
    }

    private static Task SendTextAsync(WebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    private static async Task<string?> ReceiveTextAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16384];
        var count = 0;
        try
        {
            while (true)
            {
                var r = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                count += r.Count;
                if (r.EndOfMessage)
                {
                    return Encoding.UTF8.GetString(buffer, 0, count);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
