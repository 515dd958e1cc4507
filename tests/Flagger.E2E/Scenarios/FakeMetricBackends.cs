using System.Buffers.Binary;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// One loopback process playing the cloud metric services a scenario's MetricTemplates point at, all answering
/// <see cref="Value"/>: CloudWatch <c>GetMetricData</c> (SigV4 header for key <see cref="AwsKey"/> and service
/// <c>monitoring</c> required), a Google token endpoint (JWT verified with <see cref="GoogleKey"/>) and Cloud Monitoring
/// <c>timeSeries:query</c> (its bearer required), and SignalFx (SignalFlow websocket with <see cref="SignalFxToken"/>,
/// <c>/v2/metric</c>). The providers' unit tests check each protocol in depth; this fake serves whole releases.
/// </summary>
internal sealed class FakeMetricBackends : IAsyncDisposable
{
    public const string AwsKey = "AKIDE2EFLAGGER";
    public const string SignalFxToken = "e2e-sf-token";
    private const string GoogleToken = "ya29.e2e";
    private readonly WebApplication _app;

    private FakeMetricBackends(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The value every service answers.</summary>
    public double Value { get; set; }

    public RSA GoogleKey { get; } = RSA.Create(2048);

    /// <summary>Requests each service accepted, by service name.</summary>
    public Dictionary<string, int> Accepted { get; } = [];

    /// <summary>A service-account key JSON whose token_uri is this fake.</summary>
    public string ServiceAccountKey => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = "e2e-project",
        ["private_key_id"] = "e2e",
        ["private_key"] = GoogleKey.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = "flagger@e2e-project.iam.gserviceaccount.com",
        ["token_uri"] = Url + "/token",
    });

    public static async Task<FakeMetricBackends> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseWebSockets();
        FakeMetricBackends? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new FakeMetricBackends(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/'));
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var (status, body) = request.Path.Value switch
        {
            "/" when request.Headers["X-Amz-Target"] == "GraniteServiceVersion20100801.GetMetricData" => CloudWatch(request),
            "/token" => Token(await request.ReadFormAsync()),
            { } p when p.StartsWith("/v3/projects/e2e-project/timeSeries:query", StringComparison.Ordinal) => Monitoring(request),
            "/v2/metric" => request.Headers["X-SF-Token"] == SignalFxToken ? Count("signalfx-online", 200, "{}") : (401, "{}"),
            "/v2/signalflow/connect" when context.WebSockets.IsWebSocketRequest => (0, ""),
            _ => (404, "{}"),
        };
        if (status == 0)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await SignalFlowAsync(socket, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private (int, string) Count(string service, int status, string body)
    {
        lock (Accepted)
        {
            Accepted[service] = Accepted.GetValueOrDefault(service) + 1;
        }

        return (status, body);
    }

    private (int, string) CloudWatch(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith($"AWS4-HMAC-SHA256 Credential={AwsKey}/", StringComparison.Ordinal)
            && auth.Contains("/us-east-1/monitoring/aws4_request", StringComparison.Ordinal)
            && request.Headers.ContainsKey("X-Amz-Date")
            ? Count("cloudwatch", 200, JsonSerializer.Serialize(new { MetricDataResults = new[] { new { Id = "e1", Values = new[] { Value } } } }))
            : (403, """{"__type":"InvalidSignatureException","message":"bad signature"}""");
    }

    private (int, string) Token(IFormCollection form)
    {
        var parts = form["assertion"].ToString().Split('.');
        var valid = parts.Length == 3 && GoogleKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return valid
            ? Count("google-token", 200, $$"""{"access_token":"{{GoogleToken}}","expires_in":3600,"token_type":"Bearer"}""")
            : (400, """{"error":"invalid_grant"}""");
    }

    private (int, string) Monitoring(HttpRequest request) =>
        request.Headers.Authorization == "Bearer " + GoogleToken
            ? Count("stackdriver", 200, JsonSerializer.Serialize(new
            {
                timeSeriesData = new[] { new { pointData = new[] { new { values = new[] { new { doubleValue = Value } } } } } },
            }))
            : (401, """{"error":{"code":401,"message":"unauthenticated","status":"UNAUTHENTICATED"}}""");

    private async Task SignalFlowAsync(WebSocket socket, CancellationToken ct)
    {
        var authenticated = false;
        var buffer = new byte[65536];
        while (socket.State == WebSocketState.Open)
        {
            var r = await socket.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
            var m = doc.RootElement;
            switch (m.GetProperty("type").GetString())
            {
                case "authenticate":
                    authenticated = m.GetProperty("token").GetString() == SignalFxToken;
                    await SendAsync(socket, authenticated ? """{"type":"authenticated"}""" : """{"type":"error","error":401,"message":"Invalid auth token"}""", ct);
                    break;
                case "execute" when authenticated:
                    var channel = m.GetProperty("channel").GetString()!;
                    Count("signalfx", 0, "");
                    await socket.SendAsync(DataMessage(channel, Value), WebSocketMessageType.Binary, true, ct);
                    await SendAsync(socket, $$"""{"type":"control-message","channel":"{{channel}}","event":"END_OF_CHANNEL"}""", ct);
                    break;
                default:
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unexpected", ct);
                    return;
            }
        }
    }

    private static byte[] DataMessage(string channel, double value)
    {
        var message = new byte[20 + 12 + 17];
        message[0] = 1;
        message[1] = 5;
        Encoding.ASCII.GetBytes(channel).CopyTo(message, 4);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(20), 1_700_000_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(28), 1);
        message[32] = 2;
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(33), 7);
        BinaryPrimitives.WriteDoubleBigEndian(message.AsSpan(41), value);
        return message;
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - (b.Length % 4)) % 4));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        GoogleKey.Dispose();
    }
}
