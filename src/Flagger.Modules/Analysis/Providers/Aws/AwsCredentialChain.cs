using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace Flagger.Modules.Analysis.Providers.Aws;

/// <summary>An AWS key, with a session token and expiry for temporary credentials. <see cref="ToString"/> never shows the secret.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken, DateTimeOffset? Expiration, string Source)
{
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, Source = {Source} }}";
}

/// <summary>
/// The AWS SDK's default credential chain, in the Go SDK v1 order upstream uses: environment
/// (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c>), web identity (IRSA:
/// <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> + <c>AWS_ROLE_ARN</c> through STS <c>AssumeRoleWithWebIdentity</c>), the shared
/// credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c> or <c>~/.aws/credentials</c>, profile <c>AWS_PROFILE</c>),
/// container credentials (<c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c>/<c>_RELATIVE_URI</c>, EKS Pod Identity and ECS) and
/// the EC2 instance metadata service (IMDSv2). Temporary credentials are cached until five minutes before they expire.
/// Every remote call has its own timeout.
/// </summary>
// upstream: the chain of aws-sdk-go session.NewSession that pkg/metrics/providers/cloudwatch.go relies on
internal sealed class AwsCredentialChain(HttpClient client, TimeProvider time, Func<string, string?> environment)
{
    private static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AwsCredentials? _cached;

    /// <summary>The chain of the process: real environment variables.</summary>
    public static AwsCredentialChain FromProcess(HttpClient client, TimeProvider time) => new(client, time, Environment.GetEnvironmentVariable);

    /// <summary>Resolves credentials for <paramref name="region"/> (used for the regional STS endpoint); throws <see cref="MetricQueryException"/> when none is found.</summary>
    public async Task<AwsCredentials> ResolveAsync(string region, CancellationToken cancellationToken)
    {
        if (FromEnvironment() is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } c && (c.Expiration is null || c.Expiration.Value - RefreshBefore > time.GetUtcNow()))
            {
                return c;
            }

            _cached = await ResolveUncachedAsync(region, cancellationToken).ConfigureAwait(false);
            return _cached;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AwsCredentials> ResolveUncachedAsync(string region, CancellationToken cancellationToken)
    {
        if (Env("AWS_WEB_IDENTITY_TOKEN_FILE") is { } tokenFile)
        {
            return await WebIdentityAsync(tokenFile, region, cancellationToken).ConfigureAwait(false);
        }

        if (FromSharedFile() is { } fromFile)
        {
            return fromFile;
        }

        if (Env("AWS_CONTAINER_CREDENTIALS_FULL_URI") is not null || Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is not null)
        {
            return await ContainerAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(Env("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return await InstanceMetadataAsync(cancellationToken).ConfigureAwait(false);
        }

        throw new MetricQueryException("NoCredentialProviders: no valid providers in chain (environment, web identity, shared credentials file, container, EC2 instance metadata disabled)");
    }

    private string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;

    private AwsCredentials? FromEnvironment()
    {
        var id = Env("AWS_ACCESS_KEY_ID") ?? Env("AWS_ACCESS_KEY");
        var secret = Env("AWS_SECRET_ACCESS_KEY") ?? Env("AWS_SECRET_KEY");
        return id is null || secret is null ? null : new AwsCredentials(id, secret, Env("AWS_SESSION_TOKEN"), null, "environment");
    }

    private AwsCredentials? FromSharedFile()
    {
        var home = Env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Env("AWS_SHARED_CREDENTIALS_FILE") ?? Path.Combine(home, ".aws", "credentials");
        if (!File.Exists(path))
        {
            return null;
        }

        var profile = Env("AWS_PROFILE") ?? Env("AWS_DEFAULT_PROFILE") ?? "default";
        var values = ReadIniSection(File.ReadAllLines(path), profile);
        return values.TryGetValue("aws_access_key_id", out var id) && values.TryGetValue("aws_secret_access_key", out var secret)
            ? new AwsCredentials(id, secret, values.GetValueOrDefault("aws_session_token"), null, $"shared credentials file, profile {profile}")
            : null;
    }

    /// <summary>The <c>key = value</c> lines of section <c>[name]</c> of an INI file (comments <c>#</c>/<c>;</c> skipped).</summary>
    internal static Dictionary<string, string> ReadIniSection(IEnumerable<string> lines, string name)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inSection = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                inSection = line[1..^1].Trim() == name;
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (inSection && eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return values;
    }

    private async Task<AwsCredentials> WebIdentityAsync(string tokenFile, string region, CancellationToken cancellationToken)
    {
        var roleArn = Env("AWS_ROLE_ARN")
            ?? throw new MetricQueryException("WebIdentityErr: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(tokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (IOException e)
        {
            throw new MetricQueryException($"WebIdentityErr: failed fetching WebIdentity token: {e.Message}", inner: e);
        }

        var endpoint = Env("AWS_ENDPOINT_URL_STS") ?? Env("AWS_ENDPOINT_URL") ?? $"https://sts.{region}.amazonaws.com";
        var session = Env("AWS_ROLE_SESSION_NAME") ?? "flagger-" + time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var form = new Dictionary<string, string>
        {
            ["Action"] = "AssumeRoleWithWebIdentity",
            ["Version"] = "2011-06-15",
            ["RoleArn"] = roleArn,
            ["RoleSessionName"] = session,
            ["WebIdentityToken"] = token,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.TrimEnd('/') + "/") { Content = new FormUrlEncodedContent(form) };
        var (status, _, body) = await SendAsync(request, RemoteTimeout, "WebIdentityErr", cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            throw new MetricQueryException($"WebIdentityErr: failed to retrieve credentials: {StsError(body)}\n\tstatus code: {status}");
        }

        try
        {
            var credentials = XDocument.Parse(body).Descendants().First(e => e.Name.LocalName == "Credentials");
            string Field(string name) => credentials.Elements().First(e => e.Name.LocalName == name).Value;
            return new AwsCredentials(Field("AccessKeyId"), Field("SecretAccessKey"), Field("SessionToken"),
                DateTimeOffset.Parse(Field("Expiration"), CultureInfo.InvariantCulture), $"web identity, role {roleArn}");
        }
        catch (Exception e) when (e is System.Xml.XmlException or InvalidOperationException or FormatException)
        {
            throw new MetricQueryException($"WebIdentityErr: failed to parse the STS response: {e.Message}", inner: e);
        }
    }

    private static string StsError(string body)
    {
        try
        {
            var error = XDocument.Parse(body).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            return code is null ? ProviderHttp.Excerpt(body) : $"{code}: {message}";
        }
        catch (System.Xml.XmlException)
        {
            return ProviderHttp.Excerpt(body);
        }
    }

    private async Task<AwsCredentials> ContainerAsync(CancellationToken cancellationToken)
    {
        var url = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI") ?? "http://169.254.170.2" + Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var authorization = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") is { } file)
        {
            authorization = (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim();
        }

        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var (status, _, body) = await SendAsync(request, RemoteTimeout, "CredentialsEndpointError", cancellationToken).ConfigureAwait(false);
        return status == 200
            ? ParseJsonCredentials(body, "container credentials")
            : throw new MetricQueryException($"CredentialsEndpointError: failed to load credentials: status code {status}: {ProviderHttp.Excerpt(body)}");
    }

    private async Task<AwsCredentials> InstanceMetadataAsync(CancellationToken cancellationToken)
    {
        var endpoint = (Env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254").TrimEnd('/');
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, endpoint + "/latest/api/token");
        tokenRequest.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        var (tokenStatus, _, token) = await SendAsync(tokenRequest, MetadataTimeout, "EC2RoleRequestError", cancellationToken).ConfigureAwait(false);
        if (tokenStatus != 200)
        {
            throw new MetricQueryException($"EC2RoleRequestError: no EC2 instance role found: IMDSv2 token request returned status code {tokenStatus}");
        }

        const string RolePath = "/latest/meta-data/iam/security-credentials/";
        var (roleStatus, role) = await MetadataGetAsync(endpoint + RolePath, token, cancellationToken).ConfigureAwait(false);
        var roleName = role.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (roleStatus != 200 || roleName is null)
        {
            throw new MetricQueryException($"EC2RoleRequestError: no EC2 instance role found (status code {roleStatus})");
        }

        var (status, body) = await MetadataGetAsync(endpoint + RolePath + Uri.EscapeDataString(roleName), token, cancellationToken).ConfigureAwait(false);
        return status == 200
            ? ParseJsonCredentials(body, $"EC2 instance role {roleName}")
            : throw new MetricQueryException($"EC2RoleRequestError: failed to get {roleName} EC2 instance role credentials (status code {status})");
    }

    private async Task<(int Status, string Body)> MetadataGetAsync(string url, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token", token);
        var (status, _, body) = await SendAsync(request, MetadataTimeout, "EC2RoleRequestError", cancellationToken).ConfigureAwait(false);
        return (status, body);
    }

    private static AwsCredentials ParseJsonCredentials(string body, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var id = Field("AccessKeyId");
            var secret = Field("SecretAccessKey");
            if (id is null || secret is null)
            {
                throw new MetricQueryException($"{source}: response without AccessKeyId/SecretAccessKey");
            }

            var expiration = Field("Expiration") is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
            return new AwsCredentials(id, secret, Field("Token"), expiration, source);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new MetricQueryException($"{source}: failed to parse the credentials response: {e.Message}", inner: e);
        }
    }

    private async Task<(int Status, string Reason, string Body)> SendAsync(HttpRequestMessage request, TimeSpan timeout, string code, CancellationToken cancellationToken)
    {
        try
        {
            return await ProviderHttp.SendAsync(client, request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap(code);
        }
    }
}
