using System.Security.Cryptography;
using System.Text;
using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Providers.Google;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.Analysis.Providers.Google;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Analysis.Providers;

public class StackdriverMetricProviderTests
{
    private const string Mql = "fetch k8s_container | metric 'istio.io/service/server/request_count' | within 1m";
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GoogleAuth Auth(Dictionary<string, string>? env = null) => new(new HttpClient(), Time, n => env?.GetValueOrDefault(n));

    private static StackdriverMetricProvider Create(FakeGoogle fake, string? key, GoogleAuth? auth = null, bool secret = true)
    {
        var credentials = new Dictionary<string, byte[]> { ["project"] = "my-project"u8.ToArray() };
        if (key is not null)
        {
            credentials["serviceAccountKey"] = Encoding.UTF8.GetBytes(key);
        }

        return new("1m", new MetricTemplateProvider { Type = "stackdriver", Address = fake.Url, SecretRef = secret ? new() { Name = "gcp" } : null },
            secret ? credentials : new Dictionary<string, byte[]>(), new HttpClient(), Time, auth ?? Auth());
    }

    private const string Series = """
        {"timeSeriesDescriptor":{"pointDescriptors":[{"key":"value.request_count","valueType":"DOUBLE"}]},
         "timeSeriesData":[{"labelValues":[{"stringValue":"podinfo"}],"pointData":[{"values":[{"doubleValue":0.995}],"timeInterval":{}},{"values":[{"doubleValue":0.5}]}]},
                           {"pointData":[{"values":[{"doubleValue":7}]}]}]}
        """;

    [Fact]
    public async Task The_service_account_key_buys_a_bearer_and_the_first_point_is_the_value()
    {
        await using var fake = new FakeGoogle(Time);
        string? seen = null;
        fake.Answer = (project, query) => { seen = project + "|" + query; return (200, Series); };
        var auth = Auth();

        Assert.Equal(0.995, await Create(fake, fake.ServiceAccountKey(), auth).RunQueryAsync(Mql, Ct));
        Assert.Equal("my-project|" + Mql, seen);

        // the token is cached across checks (one provider per check, one auth per process)
        await Create(fake, fake.ServiceAccountKey(), auth).RunQueryAsync(Mql, Ct);
        Assert.Equal(1, fake.TokenRequests);
    }

    [Fact]
    public async Task A_key_the_token_endpoint_cannot_verify_is_an_oauth_error()
    {
        await using var fake = new FakeGoogle(Time);
        using var stranger = RSA.Create(2048);
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, fake.ServiceAccountKey(stranger)).RunQueryAsync(Mql, Ct));

        Assert.StartsWith("error requesting stackdriver: oauth2: cannot fetch token: 400 Bad Request\nResponse: {\"error\":\"invalid_grant\"", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"timeSeriesDescriptor":{}}""", "invalid response: <nil>: no values found")]
    [InlineData("""{"timeSeriesData":[{"pointData":[]}]}""", "invalid response: {\"pointData\":[]}: no values found")]
    [InlineData("""{"timeSeriesData":[{"pointData":[{"values":[]}]}]}""", "invalid response: {\"pointData\":[{\"values\":[]}]}: no values found")]
    [InlineData("""{"timeSeriesData":[{"pointData":[{"values":[{"doubleValue":"NaN"}]}]}]}""", "invalid response: {\"pointData\":[{\"values\":[{\"doubleValue\":\"NaN\"}]}]}: no values found")]
    public async Task Empty_results_are_no_values(string body, string message)
    {
        await using var fake = new FakeGoogle(Time) { Answer = (_, _) => (200, body) };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, fake.ServiceAccountKey()).RunQueryAsync(Mql, Ct));
        Assert.True(e.NoValues);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Int64_points_are_read_and_non_numbers_are_errors()
    {
        await using var fake = new FakeGoogle(Time) { Answer = (_, _) => (200, """{"timeSeriesData":[{"pointData":[{"values":[{"int64Value":"42"}]}]}]}""") };
        Assert.Equal(42, await Create(fake, fake.ServiceAccountKey()).RunQueryAsync(Mql, Ct));

        fake.Answer = (_, _) => (200, """{"timeSeriesData":[{"pointData":[{"values":[{"stringValue":"x"}]}]}]}""");
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, fake.ServiceAccountKey()).RunQueryAsync(Mql, Ct));
        Assert.False(e.NoValues);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "Query parsing error: Line 1, column 1: syntax error", "InvalidArgument")]
    [InlineData(403, "PERMISSION_DENIED", "Permission monitoring.timeSeries.list denied", "PermissionDenied")]
    [InlineData(503, "UNAVAILABLE", "The service is currently unavailable.", "Unavailable")]
    public async Task Api_errors_read_as_grpc_status(int status, string code, string message, string name)
    {
        await using var fake = new FakeGoogle(Time) { Answer = (_, _) => (status, $$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{code}}}"}}""") };
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, fake.ServiceAccountKey()).RunQueryAsync(Mql, Ct));
        Assert.Equal($"error requesting stackdriver: rpc error: code = {name} desc = {message}", e.Message);
    }

    [Fact]
    public async Task Is_online_accepts_invalid_argument_for_the_empty_query_only()
    {
        await using var fake = new FakeGoogle(Time)
        {
            Answer = (_, q) => q.Length == 0 ? (400, """{"error":{"code":400,"message":"empty query","status":"INVALID_ARGUMENT"}}""") : (200, Series),
        };
        await Create(fake, fake.ServiceAccountKey()).IsOnlineAsync(Ct);

        fake.Answer = (_, _) => (403, """{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}""");
        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Create(fake, fake.ServiceAccountKey()).IsOnlineAsync(Ct));
        Assert.Equal("unexpected status code: PermissionDenied", e.Message);
    }

    [Fact]
    public async Task Without_a_key_application_default_credentials_come_from_the_metadata_server()
    {
        await using var fake = new FakeGoogle(Time) { Answer = (_, _) => (200, Series) };
        await using var metadata = new StubHttpServer(r => (r.Headers["Metadata-Flavor"], r.Path) switch
        {
            ("Google", "/computeMetadata/v1/instance/service-accounts/default/token") => (200, $$"""{"access_token":"{{FakeGoogle.AccessToken}}","expires_in":3599}"""),
            ("Google", "/computeMetadata/v1/project/project-id") => (200, "wi-project"),
            _ => (403, "missing Metadata-Flavor"),
        });
        var auth = Auth(new() { ["GCE_METADATA_HOST"] = metadata.Url, ["HOME"] = "/nonexistent" });
        string? project = null;
        fake.Answer = (p, _) => { project = p; return (200, Series); };

        Assert.Equal(0.995, await Create(fake, key: null, auth, secret: false).RunQueryAsync(Mql, Ct));
        Assert.Equal("wi-project", project);
    }

    [Fact]
    public async Task Google_application_credentials_file_is_used_when_the_secret_has_no_key()
    {
        await using var fake = new FakeGoogle(Time) { Answer = (_, _) => (200, Series) };
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, fake.ServiceAccountKey(), Ct);
            Assert.Equal(0.995, await Create(fake, key: null, Auth(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file })).RunQueryAsync(Mql, Ct));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_secret_without_project_or_with_a_broken_key_is_a_configuration_error()
    {
        var provider = new MetricTemplateProvider { Type = "stackdriver", SecretRef = new() { Name = "gcp" } };
        Assert.Equal("stackdriver credentials does not contain a project id", Assert.Throws<MetricProviderConfigException>(() =>
            new StackdriverMetricProvider("1m", provider, new Dictionary<string, byte[]>(), new HttpClient(), Time, Auth())).Message);

        var e = Assert.Throws<MetricProviderConfigException>(() => new StackdriverMetricProvider("1m", provider,
            new Dictionary<string, byte[]> { ["project"] = "p"u8.ToArray(), ["serviceAccountKey"] = "{\"private_key\": \"secret"u8.ToArray() },
            new HttpClient(), Time, Auth()));
        Assert.StartsWith("stackdriver credentials serviceAccountKey: google: credentials are not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }
}
