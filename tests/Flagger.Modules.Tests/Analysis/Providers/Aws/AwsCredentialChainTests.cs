using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Providers.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Analysis.Providers.Aws;

public sealed class AwsCredentialChainTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("flagger-aws-").FullName;
    private readonly Dictionary<string, string> _env = new() { ["HOME"] = "/nonexistent-home", ["AWS_EC2_METADATA_DISABLED"] = "true" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AwsCredentialChain Chain() => new(new HttpClient(), _time, n => _env.GetValueOrDefault(n));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string CredentialsJson = """{"AccessKeyId":"ASIAREMOTE","SecretAccessKey":"remote-secret","Token":"remote-token","Expiration":"2026-12-03T13:00:00Z"}""";

    [Fact]
    public async Task Environment_keys_come_first()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        _env["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _env["AWS_SESSION_TOKEN"] = "env-token";
        _env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/does/not/matter";

        var c = await Chain().ResolveAsync("us-east-1", Ct);
        Assert.Equal(("AKIDENV", "env-secret", "env-token"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        Assert.DoesNotContain("env-secret", c.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shared_credentials_file_is_read_for_the_selected_profile()
    {
        var file = Path.Combine(_dir, "credentials");
        await File.WriteAllTextAsync(file, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n# comment\n[flagger]\naws_access_key_id=AKIDFLAGGER\naws_secret_access_key= f-secret \naws_session_token = f-token\n", Ct);
        _env["AWS_SHARED_CREDENTIALS_FILE"] = file;
        _env["AWS_PROFILE"] = "flagger";

        var c = await Chain().ResolveAsync("us-east-1", Ct);
        Assert.Equal(("AKIDFLAGGER", "f-secret", "f-token"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
    }

    [Fact]
    public async Task Web_identity_exchanges_the_projected_token_at_sts()
    {
        await using var sts = new StubHttpServer(_ => (200, """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <Credentials><SessionToken>irsa-token</SessionToken><SecretAccessKey>irsa-secret</SecretAccessKey>
                  <Expiration>2026-12-03T13:00:00Z</Expiration><AccessKeyId>ASIAIRSA</AccessKeyId></Credentials>
              </AssumeRoleWithWebIdentityResult>
            </AssumeRoleWithWebIdentityResponse>
            """));
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJprojected.jwt\n", Ct);
        _env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile;
        _env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/flagger";
        _env["AWS_ROLE_SESSION_NAME"] = "flagger-test";
        _env["AWS_ENDPOINT_URL_STS"] = sts.Url;

        var chain = Chain();
        var c = await chain.ResolveAsync("us-east-1", Ct);
        Assert.Equal(("ASIAIRSA", "irsa-secret", "irsa-token"), (c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
        var form = System.Web.HttpUtility.ParseQueryString(sts.Single().Body);
        Assert.Equal("AssumeRoleWithWebIdentity", form["Action"]);
        Assert.Equal("2011-06-15", form["Version"]);
        Assert.Equal("arn:aws:iam::123456789012:role/flagger", form["RoleArn"]);
        Assert.Equal("flagger-test", form["RoleSessionName"]);
        Assert.Equal("eyJprojected.jwt", form["WebIdentityToken"]);

        // cached until five minutes before expiry
        await chain.ResolveAsync("us-east-1", Ct);
        Assert.Single(sts.Requests);
        _time.Advance(TimeSpan.FromMinutes(56));
        await chain.ResolveAsync("us-east-1", Ct);
        Assert.Equal(2, sts.Requests.Count);
    }

    [Fact]
    public async Task A_rejected_web_identity_names_the_sts_error()
    {
        await using var sts = new StubHttpServer(_ => (400, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
            <Message>Couldn't retrieve verification key from your identity provider</Message></Error></ErrorResponse>
            """));
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "jwt", Ct);
        _env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile;
        _env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/flagger";
        _env["AWS_ENDPOINT_URL_STS"] = sts.Url;

        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Chain().ResolveAsync("us-east-1", Ct));
        Assert.Equal("WebIdentityErr: failed to retrieve credentials: InvalidIdentityToken: Couldn't retrieve verification key from your identity provider\n\tstatus code: 400", e.Message);
    }

    [Fact]
    public async Task Container_credentials_send_the_authorization_token()
    {
        await using var endpoint = new StubHttpServer(_ => (200, CredentialsJson));
        _env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoint.Url + "/v1/credentials";
        _env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "pod-identity-token";

        var c = await Chain().ResolveAsync("us-east-1", Ct);
        Assert.Equal(("ASIAREMOTE", "remote-token"), (c.AccessKeyId, c.SessionToken));
        Assert.Equal("pod-identity-token", endpoint.Single().Headers["Authorization"]);
        Assert.Equal("/v1/credentials", endpoint.Single().Path);
    }

    [Fact]
    public async Task Instance_metadata_uses_an_imdsv2_session_token()
    {
        await using var imds = new StubHttpServer(r => (r.Method, r.Path, r.Headers["X-aws-ec2-metadata-token"]) switch
        {
            ("PUT", "/latest/api/token", _) when r.Headers["X-aws-ec2-metadata-token-ttl-seconds"] == "21600" => (200, "imds-session"),
            ("GET", "/latest/meta-data/iam/security-credentials/", "imds-session") => (200, "node-role\n"),
            ("GET", "/latest/meta-data/iam/security-credentials/node-role", "imds-session") => (200, CredentialsJson),
            _ => (401, ""),
        });
        _env.Remove("AWS_EC2_METADATA_DISABLED");
        _env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Url;

        var c = await Chain().ResolveAsync("us-east-1", Ct);
        Assert.Equal("ASIAREMOTE", c.AccessKeyId);
        Assert.Equal(3, imds.Requests.Count);
    }

    [Fact]
    public async Task No_source_is_a_clear_error() =>
        Assert.StartsWith("NoCredentialProviders: no valid providers in chain",
            (await Assert.ThrowsAsync<MetricQueryException>(() => Chain().ResolveAsync("us-east-1", Ct))).Message, StringComparison.Ordinal);

    [Fact]
    public async Task An_unreachable_metadata_service_times_out_with_a_named_error()
    {
        _env.Remove("AWS_EC2_METADATA_DISABLED");
        _env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = $"http://127.0.0.1:{StubHttpServer.FreePort()}";

        var e = await Assert.ThrowsAsync<MetricQueryException>(() => Chain().ResolveAsync("us-east-1", Ct));
        Assert.StartsWith("EC2RoleRequestError: request failed: PUT", e.Message, StringComparison.Ordinal);
    }
}
