using System.Net.Http.Headers;
using System.Text;

namespace Flagger.Modules.Analysis.Providers;

/// <summary>The HTTP plumbing shared by the HTTP providers: one timeout per request, errors as <see cref="MetricQueryException"/>.</summary>
internal static class ProviderHttp
{
    /// <summary>Named client for providers that verify TLS.</summary>
    public const string Client = "flagger-analysis";

    /// <summary>Named client for <c>insecureSkipVerify: true</c>.</summary>
    public const string InsecureClient = "flagger-analysis-insecure";

    /// <summary>Upstream's timeout of every HTTP provider.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>How much of an error body goes into a message.</summary>
    public const int BodyExcerpt = 512;

    public static HttpClient Create(IHttpClientFactory factory, bool insecureSkipVerify) =>
        factory.CreateClient(insecureSkipVerify ? InsecureClient : Client);

    /// <summary>Sends the request with a per-request timeout and returns status and body.</summary>
    public static async Task<(int Status, string Reason, string Body)> SendAsync(
        HttpClient client, HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, response.ReasonPhrase ?? "", body);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MetricQueryException($"request failed: {request.Method} \"{Redact(request.RequestUri)}\": timeout after {timeout.TotalSeconds:0.###}s", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new MetricQueryException($"request failed: {request.Method} \"{Redact(request.RequestUri)}\": {e.Message}", inner: e);
        }
    }

    public static string Excerpt(string body) =>
        body.Length <= BodyExcerpt ? body : body[..BodyExcerpt] + "…";

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>A credential value from a Secret's <c>data</c> (already base64-decoded bytes) or <c>stringData</c>.</summary>
    public static string? Credential(IReadOnlyDictionary<string, byte[]> credentials, string key) =>
        credentials.TryGetValue(key, out var value) ? Encoding.UTF8.GetString(value) : null;

    /// <summary>The URL without its query (queries may hold user data; never credentials, but keep messages short).</summary>
    private static string Redact(Uri? uri) => uri is null ? "" : uri.GetLeftPart(UriPartial.Path);

    /// <summary>Go <c>http.StatusText</c>-like reason for messages.</summary>
    public static string StatusLine(int status, string reason) => $"{status} {reason}".TrimEnd();
}
