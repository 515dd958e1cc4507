using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Flagger.Modules.Tests.Analysis.Providers.Google;

/// <summary>
/// A loopback Google: an OAuth token endpoint (<c>/token</c>) that verifies the service-account JWT with the public half
/// of the key this fake generated (alg, kid, iss, aud, scope, iat/exp) and a Cloud Monitoring endpoint
/// (<c>/v3/projects/{project}/timeSeries:query</c>) that accepts only the bearer token it issued.
/// </summary>
internal sealed class FakeGoogle : IAsyncDisposable
{
    public const string AccessToken = "ya29.fake-access-token";
    public const string ClientEmail = "flagger@my-project.iam.gserviceaccount.com";
    private readonly RSA _key = RSA.Create(2048);
    private readonly StubHttpServer _server;
    private readonly TimeProvider _time;

    public FakeGoogle(TimeProvider time)
    {
        _time = time;
        _server = new StubHttpServer(Handle);
    }

    public string Url => _server.Url;

    public StubHttpServer Server => _server;

    /// <summary>A service-account key JSON whose <c>token_uri</c> is this fake.</summary>
    public string ServiceAccountKey(RSA? signWith = null) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = "my-project",
        ["private_key_id"] = "key-1",
        ["private_key"] = (signWith ?? _key).ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["token_uri"] = Url + "/token",
    });

    /// <summary>The answer to an authorized query, given the project and the MQL text.</summary>
    public Func<string, string, (int Status, string Body)> Answer { get; set; } = (_, _) => (200, "{}");

    public int TokenRequests => _server.Requests.Count(r => r.Path == "/token");

    private (int Status, string Body) Handle(RecordedRequest r)
    {
        if (r.Path == "/token")
        {
            return Token(System.Web.HttpUtility.ParseQueryString(r.Body));
        }

        const string Prefix = "/v3/projects/";
        const string Suffix = "/timeSeries:query";
        if (r.Method != "POST" || !r.Path.StartsWith(Prefix, StringComparison.Ordinal) || !r.Path.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return (404, """{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}""");
        }

        if (r.Headers["Authorization"] != "Bearer " + AccessToken)
        {
            return (401, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""");
        }

        using var doc = JsonDocument.Parse(r.Body);
        return Answer(r.Path[Prefix.Length..^Suffix.Length], doc.RootElement.GetProperty("query").GetString()!);
    }

    private (int, string) Token(System.Collections.Specialized.NameValueCollection form)
    {
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form["assertion"]?.Split('.') is not [var h, var c, var s])
        {
            return (400, """{"error":"unsupported_grant_type"}""");
        }

        var valid = _key.VerifyData(Encoding.ASCII.GetBytes(h + "." + c), FromBase64Url(s), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var header = JsonDocument.Parse(FromBase64Url(h));
        using var claims = JsonDocument.Parse(FromBase64Url(c));
        var cl = claims.RootElement;
        var iat = cl.GetProperty("iat").GetInt64();
        var ok = valid
            && header.RootElement.GetProperty("alg").GetString() == "RS256" && header.RootElement.GetProperty("kid").GetString() == "key-1"
            && cl.GetProperty("iss").GetString() == ClientEmail && cl.GetProperty("aud").GetString() == Url + "/token"
            && cl.GetProperty("scope").GetString()!.Contains("https://www.googleapis.com/auth/monitoring.read", StringComparison.Ordinal)
            && cl.GetProperty("exp").GetInt64() - iat == 3600 && Math.Abs(iat - _time.GetUtcNow().ToUnixTimeSeconds()) < 60;
        return ok
            ? (200, $$"""{"access_token":"{{AccessToken}}","expires_in":3599,"token_type":"Bearer"}""")
            : (400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""");
    }

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - (b.Length % 4)) % 4));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _key.Dispose();
    }
}
