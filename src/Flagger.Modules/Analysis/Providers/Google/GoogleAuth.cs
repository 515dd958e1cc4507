using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Flagger.Modules.Analysis.Providers.Google;

/// <summary>
/// Google OAuth 2.0 access tokens for the Cloud Monitoring API: a service-account key (the Secret's
/// <c>serviceAccountKey</c>, or the file of <c>GOOGLE_APPLICATION_CREDENTIALS</c>) is exchanged at its <c>token_uri</c> for a
/// token with an RS256-signed JWT assertion; an <c>authorized_user</c> file (gcloud ADC) with its refresh token; otherwise
/// the metadata server (GKE Workload Identity, GCE; host from <c>GCE_METADATA_HOST</c>). Tokens are cached per
/// identity until five minutes before expiry. Every call has its own timeout; keys and tokens are never logged.
/// </summary>
// upstream: pkg/metrics/providers/stackdriver.go (option.WithCredentialsJSON / application default credentials)
internal sealed class GoogleAuth(HttpClient client, TimeProvider time, Func<string, string?> environment)
{
    public const string Scope = "https://www.googleapis.com/auth/monitoring.read";
    private const string DefaultTokenUri = "https://oauth2.googleapis.com/token";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expiry)> _tokens = new();

    /// <summary>The auth of the process: real environment variables.</summary>
    public static GoogleAuth FromProcess(HttpClient client, TimeProvider time) => new(client, time, Environment.GetEnvironmentVariable);

    /// <summary>An access token for <paramref name="keyJson"/> (a credentials JSON) or, when null, application default credentials.</summary>
    public async Task<string> TokenAsync(string? keyJson, CancellationToken cancellationToken)
    {
        keyJson ??= ApplicationDefaultFile() is { } file ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : null;
        var cacheKey = keyJson is null ? "metadata" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(keyJson)));
        if (_tokens.TryGetValue(cacheKey, out var cached) && cached.Expiry - RefreshBefore > time.GetUtcNow())
        {
            return cached.Token;
        }

        var fresh = keyJson is null
            ? await MetadataTokenAsync(cancellationToken).ConfigureAwait(false)
            : await KeyTokenAsync(GoogleCredentialFile.Parse(keyJson), cancellationToken).ConfigureAwait(false);
        _tokens[cacheKey] = fresh;
        return fresh.Token;
    }

    /// <summary>The project of application default credentials: <c>GOOGLE_CLOUD_PROJECT</c>, the ADC file's <c>project_id</c>, or the metadata server.</summary>
    public async Task<string> DefaultProjectAsync(CancellationToken cancellationToken)
    {
        if ((Env("GOOGLE_CLOUD_PROJECT") ?? Env("GCLOUD_PROJECT")) is { } project)
        {
            return project;
        }

        if (ApplicationDefaultFile() is { } file
            && GoogleCredentialFile.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)) is { ProjectId: { Length: > 0 } id })
        {
            return id;
        }

        var (status, body) = await MetadataGetAsync("/computeMetadata/v1/project/project-id", cancellationToken).ConfigureAwait(false);
        return status == 200 && body.Trim().Length > 0
            ? body.Trim()
            : throw new MetricQueryException($"google: could not find the default project: metadata server returned {status}");
    }

    private string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;

    private string? ApplicationDefaultFile()
    {
        if (Env("GOOGLE_APPLICATION_CREDENTIALS") is { } explicitFile)
        {
            return explicitFile;
        }

        var home = Env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var wellKnown = Path.Combine(Env("CLOUDSDK_CONFIG") ?? Path.Combine(home, ".config", "gcloud"), "application_default_credentials.json");
        return File.Exists(wellKnown) ? wellKnown : null;
    }

    private async Task<(string Token, DateTimeOffset Expiry)> KeyTokenAsync(GoogleCredentialFile key, CancellationToken cancellationToken)
    {
        var tokenUri = string.IsNullOrEmpty(key.TokenUri) ? DefaultTokenUri : key.TokenUri;
        var form = key.Type switch
        {
            "service_account" => new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = ServiceAccountJwt(key, tokenUri, time.GetUtcNow()),
            },
            "authorized_user" => new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["client_id"] = key.ClientId ?? "",
                ["client_secret"] = key.ClientSecret ?? "",
                ["refresh_token"] = key.RefreshToken ?? "",
            },
            _ => throw new MetricQueryException($"google: unsupported credentials type \"{key.Type}\" (service_account or authorized_user)"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = new FormUrlEncodedContent(form) };
        var (status, reason, body) = await Send(request, cancellationToken).ConfigureAwait(false);
        return status == 200
            ? ParseToken(body)
            : throw new MetricQueryException($"oauth2: cannot fetch token: {ProviderHttp.StatusLine(status, reason)}\nResponse: {ProviderHttp.Excerpt(body)}");
    }

    /// <summary>The signed assertion: header <c>{alg: RS256, typ: JWT, kid}</c>, claims <c>iss, scope, aud = token_uri, iat, exp = iat + 1h</c>.</summary>
    internal static string ServiceAccountJwt(GoogleCredentialFile key, string tokenUri, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(key.ClientEmail) || string.IsNullOrEmpty(key.PrivateKey))
        {
            throw new MetricQueryException("google: service account key without client_email or private_key");
        }

        var header = new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (!string.IsNullOrEmpty(key.PrivateKeyId))
        {
            header["kid"] = key.PrivateKeyId;
        }

        var iat = now.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object> { ["iss"] = key.ClientEmail, ["scope"] = Scope, ["aud"] = tokenUri, ["iat"] = iat, ["exp"] = iat + 3600 };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(key.PrivateKey);
        }
        catch (ArgumentException e)
        {
            throw new MetricQueryException("google: private_key of the service account key is not a PEM RSA key", inner: e);
        }

        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<(string Token, DateTimeOffset Expiry)> MetadataTokenAsync(CancellationToken cancellationToken)
    {
        var (status, body) = await MetadataGetAsync("/computeMetadata/v1/instance/service-accounts/default/token", cancellationToken).ConfigureAwait(false);
        return status == 200
            ? ParseToken(body)
            : throw new MetricQueryException($"google: could not find default credentials: metadata server returned {status}: {ProviderHttp.Excerpt(body)}");
    }

    private async Task<(int, string)> MetadataGetAsync(string path, CancellationToken cancellationToken)
    {
        var host = Env("GCE_METADATA_HOST") ?? "metadata.google.internal";
        var baseUrl = host.StartsWith("http", StringComparison.Ordinal) ? host : "http://" + host;
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl.TrimEnd('/') + path);
        request.Headers.TryAddWithoutValidation("Metadata-Flavor", "Google");
        var (status, _, body) = await Send(request, cancellationToken).ConfigureAwait(false);
        return (status, body);
    }

    private (string Token, DateTimeOffset Expiry) ParseToken(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var token = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var expiresIn = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : 3600;
            return string.IsNullOrEmpty(token)
                ? throw new MetricQueryException("oauth2: server response missing access_token")
                : (token, time.GetUtcNow().AddSeconds(expiresIn));
        }
        catch (JsonException e)
        {
            throw new MetricQueryException($"oauth2: cannot parse token response: {e.Message}", inner: e);
        }
    }

    private async Task<(int, string, string)> Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await ProviderHttp.SendAsync(client, request, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (MetricQueryException e)
        {
            throw e.Wrap("google: cannot fetch token");
        }
    }
}

/// <summary>The fields of a Google credentials JSON (service-account key or gcloud ADC) this port reads.</summary>
internal sealed record GoogleCredentialFile(
    string? Type, string? ProjectId, string? PrivateKeyId, string? PrivateKey, string? ClientEmail, string? TokenUri,
    string? ClientId, string? ClientSecret, string? RefreshToken)
{
    /// <summary>Parses the JSON; throws <see cref="MetricQueryException"/> (without the content) when it is not a credentials object.</summary>
    public static GoogleCredentialFile Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string? F(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new(F("type"), F("project_id") ?? F("quota_project_id"), F("private_key_id"), F("private_key"), F("client_email"), F("token_uri"),
                F("client_id"), F("client_secret"), F("refresh_token"));
        }
        catch (JsonException e)
        {
            // the position only: the text may be a key
            throw new MetricQueryException($"google: credentials are not valid JSON (line {e.LineNumber}, position {e.BytePositionInLine})");
        }
    }

    public override string ToString() => $"GoogleCredentialFile {{ Type = {Type}, ClientEmail = {ClientEmail} }}";
}
