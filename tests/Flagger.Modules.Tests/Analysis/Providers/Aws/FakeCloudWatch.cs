using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flagger.Modules.Analysis.Providers.Aws;

namespace Flagger.Modules.Tests.Analysis.Providers.Aws;

/// <summary>
/// A loopback CloudWatch JSON 1.0 endpoint that authenticates like the real one: it parses the SigV4
/// <c>Authorization</c> header, rejects an unknown key, a scope for another region, service or day, an
/// <c>x-amz-date</c> more than 15 minutes from its clock, unsigned <c>host</c>/<c>x-amz-*</c> headers and a missing
/// session token, then recomputes the signature from the request it received and compares.
/// </summary>
internal sealed class FakeCloudWatch : IAsyncDisposable
{
    public const string AccessKey = "AKIDFLAGGERTEST";
    public const string Secret = "fake/cloudwatch/secret+key";
    private readonly StubHttpServer _server;
    private readonly TimeProvider _time;
    private readonly string _region;

    public FakeCloudWatch(TimeProvider time, string region = "us-west-2", string? sessionToken = null)
    {
        _time = time;
        _region = region;
        SessionToken = sessionToken;
        _server = new StubHttpServer(Handle) { ResponseHeaders = _ => new Dictionary<string, string> { ["x-amzn-RequestId"] = "req-1" } };
    }

    public string Url => _server.Url;

    public string? SessionToken { get; }

    /// <summary>The answer to an authenticated GetMetricData call, given its parsed input.</summary>
    public Func<JsonElement, (int Status, string Body)> Answer { get; set; } = _ => (200, """{"MetricDataResults":[],"Messages":[]}""");

    /// <summary>Inputs of authenticated calls.</summary>
    public ConcurrentQueue<JsonElement> Inputs { get; } = new();

    public int Requests => _server.Requests.Count;

    private (int Status, string Body) Handle(RecordedRequest r)
    {
        if (r.Method != "POST" || r.Headers["X-Amz-Target"] != "GraniteServiceVersion20100801.GetMetricData")
        {
            return Error(400, "UnknownOperationException", "");
        }

        if (r.Headers["Content-Type"] != "application/x-amz-json-1.0")
        {
            return Error(400, "SerializationException", "unsupported content type");
        }

        if (Authenticate(r) is { } failure)
        {
            return failure;
        }

        using var doc = JsonDocument.Parse(r.Body);
        Inputs.Enqueue(doc.RootElement.Clone());
        return Answer(doc.RootElement);
    }

    private (int, string)? Authenticate(RecordedRequest r)
    {
        var authorization = r.Headers["Authorization"] ?? "";
        const string Prefix = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var parts = authorization[Prefix.Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var scope = parts.GetValueOrDefault("Credential", "").Split('/');
        var signedHeaders = parts.GetValueOrDefault("SignedHeaders", "").Split(';');
        var amzDate = r.Headers["X-Amz-Date"] ?? "";
        if (scope.Length != 5 || scope[0] != AccessKey)
        {
            return Error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scope[2] != _region || scope[3] != "monitoring" || scope[4] != "aws4_request")
        {
            return Error(403, "InvalidSignatureException", $"Credential should be scoped to a valid region and service 'monitoring' in {_region}.");
        }

        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            || (at - _time.GetUtcNow()).Duration() > TimeSpan.FromMinutes(15))
        {
            return Error(403, "InvalidSignatureException", $"Signature expired: {amzDate} is now earlier or later than 15 minutes from the server time.");
        }

        if (scope[1] != amzDate[..8])
        {
            return Error(403, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");
        }

        var required = new[] { "host", "x-amz-date", "x-amz-target" }.Concat(SessionToken is null ? [] : ["x-amz-security-token"]);
        if (required.FirstOrDefault(h => !signedHeaders.Contains(h)) is { } unsigned)
        {
            return Error(403, "InvalidSignatureException", $"'{unsigned}' must be a signed header.");
        }

        if (SessionToken is not null && r.Headers["X-Amz-Security-Token"] != SessionToken)
        {
            return Error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var headers = signedHeaders.Select(h => (h, r.Headers[h] ?? "")).ToList();
        var expected = AwsSigV4.Sign(
            new SigV4Request(r.Method, r.Path, r.RawQuery, headers, AwsSigV4.Hash(Encoding.UTF8.GetBytes(r.Body))), AccessKey, Secret, _region, "monitoring", amzDate);
        return expected.Signature == parts.GetValueOrDefault("Signature")
            ? null
            : Error(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.");
    }

    public static (int, string) Error(int status, string code, string message) =>
        (status, JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = "com.amazonaws.cloudwatch#" + code, ["message"] = message }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
