using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>
/// Splunk Observability (SignalFx) SignalFlow over a websocket: <c>&lt;stream&gt;/v2/signalflow/connect</c>, where the stream
/// URL is <c>spec.provider.address</c> with its first <c>http</c> turned into <c>ws</c> and its first <c>api</c> into
/// <c>stream</c>; the client authenticates with <c>sf_token_key</c>, executes the program over the last 10 × interval
/// (<c>immediate: true</c>) and reads binary data messages until <c>END_OF_CHANNEL</c>. Payloads without a value are
/// dropped; more than one distinct TSID is "query returned multiple values"; the value is the last payload. 5 s for the
/// whole exchange. IsOnline: <c>GET /v2/metric?limit=1</c> with <c>X-SF-Token</c> on the API URL.
/// </summary>
// upstream: pkg/metrics/providers/splunk.go with signalflow-client-go v2 (wire format from its messages package)
internal sealed class SplunkMetricProvider : IMetricProvider
{
    private const string Channel = "ch-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly Uri _connectUrl;
    private readonly string _validationUrl;
    private readonly string _token;
    private readonly long _fromDeltaMs;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public SplunkMetricProvider(string interval, MetricTemplateProvider provider, IReadOnlyDictionary<string, byte[]> credentials, HttpClient client, TimeProvider time)
    {
        var address = string.IsNullOrEmpty(provider.Address) ? throw new MetricProviderConfigException("splunk endpoint is not set") : provider.Address;

        // https://api.<realm>.signalfx.com → wss://stream.<realm>.signalfx.com (first occurrences only, as upstream)
        var stream = ReplaceFirst(ReplaceFirst(address + "/v2/signalflow", "http", "ws"), "api", "stream");
        _validationUrl = ReplaceFirst(ReplaceFirst(address + "/v2/metric?limit=1", "ws", "http"), "stream", "api");
        if (!Uri.TryCreate(stream.TrimEnd('/') + "/connect", UriKind.Absolute, out var connect) || connect.Scheme is not ("ws" or "wss"))
        {
            throw new MetricProviderConfigException($"splunk address {address} is not a valid http(s) or ws(s) URL");
        }

        _connectUrl = connect;
        _token = ProviderHttp.Credential(credentials, "sf_token_key")
            ?? throw new MetricProviderConfigException("splunk credentials does not contain sf_token_key");
        if (!GoDuration.TryParse(interval, out var md))
        {
            throw new MetricProviderConfigException($"error parsing metric interval: time: invalid duration \"{interval}\"");
        }

        _fromDeltaMs = 10 * (long)md.TotalMilliseconds;
        _client = client;
        _time = time;
    }

    /// <summary>The websocket URL the provider connects to (for tests and messages).</summary>
    public Uri ConnectUrl => _connectUrl;

    /// <summary>The IsOnline URL.</summary>
    public string ValidationUrl => _validationUrl;

    public async Task<double> RunQueryAsync(string query, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Timeout);
        List<Payload> payloads;
        try
        {
            payloads = await ExecuteAsync(query, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MetricQueryException($"error executing query: context deadline exceeded (no END_OF_CHANNEL from {_connectUrl.GetLeftPart(UriPartial.Authority)} within {Timeout.TotalSeconds:0}s)", inner: e);
        }
        catch (Exception e) when (e is WebSocketException or InvalidDataException or HttpRequestException)
        {
            throw new MetricQueryException($"error executing query: {e.Message}", inner: e);
        }

        payloads.RemoveAll(p => p.Value is null);
        if (payloads.Count < 1)
        {
            throw new MetricQueryException($"invalid response: {MetricQueryException.NoValuesFound}", noValues: true);
        }

        if (payloads.Select(p => p.Tsid).Distinct().Count() > 1)
        {
            throw new MetricQueryException("invalid response: query returned multiple values");
        }

        // Upstream returns NaN, which passes every threshold; this port treats it as no data.
        var value = payloads[^1].Value!.Value;
        return double.IsNaN(value)
            ? throw new MetricQueryException($"invalid response: NaN: {MetricQueryException.NoValuesFound}", noValues: true)
            : value;
    }

    public async Task IsOnlineAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _validationUrl);
        request.Headers.TryAddWithoutValidation("X-SF-Token", _token);
        var (status, _, body) = await ProviderHttp.SendAsync(_client, request, Timeout, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"error response: {ProviderHttp.Excerpt(body)}");
        }
    }

    private async Task<List<Payload>> ExecuteAsync(string program, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(_connectUrl, cancellationToken).ConfigureAwait(false);
        await SendAsync(socket, new Dictionary<string, object> { ["type"] = "authenticate", ["token"] = _token }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await SendAsync(socket, new Dictionary<string, object>
        {
            ["type"] = "execute",
            ["program"] = program,
            ["channel"] = Channel,
            ["start"] = now - _fromDeltaMs,
            ["stop"] = now,
            ["resolution"] = 0,
            ["maxDelay"] = 0,
            ["immediate"] = true,
            ["timezone"] = "",
        }, cancellationToken).ConfigureAwait(false);

        var payloads = new List<Payload>();
        while (await ReceiveAsync(socket, cancellationToken).ConfigureAwait(false) is { } message)
        {
            if (message.Type == WebSocketMessageType.Binary)
            {
                payloads.AddRange(ParseData(message.Bytes));
                continue;
            }

            if (HandleText(message.Bytes))
            {
                break;
            }
        }

        await CloseQuietlyAsync(socket).ConfigureAwait(false);
        return payloads;
    }

    /// <summary>Reads one JSON message; true at the end of our channel, throws on an error message.</summary>
    private static bool HandleText(byte[] text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        string? F(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var channel = F("channel");
        if (channel is not null && channel != Channel)
        {
            return false;
        }

        switch (F("type"))
        {
            case "error":
                // signalflow ComputationError: "<code> (<errorType>): <message>"
                var code = root.TryGetProperty("error", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
                var errorType = F("errorType");
                var message = F("message");
                var head = code == 0 ? "" : code + (errorType is null ? "" : $" ({errorType})");
                throw new MetricQueryException("error executing query: " + string.Join(": ", new[] { head, message ?? "" }.Where(p => p.Length > 0)));
            case "control-message":
                return F("event") is "END_OF_CHANNEL" or "CHANNEL_ABORT";
            default:
                return false;
        }
    }

    /// <summary>A SignalFlow binary data message: 20-byte header (version, type, flags, reserved, channel[16]), optional gzip, timestamp, count, 17-byte payloads.</summary>
    internal static IEnumerable<Payload> ParseData(byte[] message)
    {
        if (message.Length <= 20)
        {
            throw new InvalidDataException($"expected SignalFlow message of at least 21 bytes, got {message.Length} bytes");
        }

        var flags = message[2];
        var channel = Encoding.ASCII.GetString(message, 4, 16).TrimEnd('\0');
        if (message[1] != 5 || channel != Channel || (flags & 2) != 0)
        {
            return [];
        }

        var rest = message.AsSpan(20).ToArray();
        if ((flags & 1) != 0)
        {
            using var gzip = new GZipStream(new MemoryStream(rest), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            rest = plain.ToArray();
        }

        var count = (int)BinaryPrimitives.ReadUInt32BigEndian(rest.AsSpan(8, 4));
        var payloads = new List<Payload>(count);
        for (var i = 0; i < count; i++)
        {
            var p = rest.AsSpan(12 + (17 * i), 17);
            var tsid = BinaryPrimitives.ReadInt64BigEndian(p[1..9]);
            var val = p[9..17];
            double? value = p[0] switch
            {
                1 => BinaryPrimitives.ReadInt64BigEndian(val),
                2 => BinaryPrimitives.ReadDoubleBigEndian(val),
                3 => BinaryPrimitives.ReadInt32BigEndian(val[..4]),
                _ => null,
            };
            payloads.Add(new Payload(tsid, value));
        }

        return payloads;
    }

    private static async Task SendAsync(ClientWebSocket socket, Dictionary<string, object> message, CancellationToken cancellationToken) =>
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);

    private static async Task<(WebSocketMessageType Type, byte[] Bytes)?> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, buffer.ToArray());
            }
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the result is already read; a server that hung up first is fine
        }
    }

    private static string ReplaceFirst(string s, string oldValue, string newValue)
    {
        var i = s.IndexOf(oldValue, StringComparison.Ordinal);
        return i < 0 ? s : s[..i] + newValue + s[(i + oldValue.Length)..];
    }

    internal readonly record struct Payload(long Tsid, double? Value);
}
