using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Flagger.Modules.Analysis.Providers.Aws;

/// <summary>The parts of one request that AWS Signature Version 4 covers.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">The path as sent (percent-encoded).</param>
/// <param name="Query">The raw query string without <c>?</c>.</param>
/// <param name="Headers">The headers to sign (names in any case; repeated names are joined with <c>,</c>).</param>
/// <param name="PayloadHash">Lower-case hex SHA-256 of the body.</param>
internal sealed record SigV4Request(string Method, string Path, string Query, IReadOnlyList<(string Name, string Value)> Headers, string PayloadHash);

/// <summary>Every intermediate of one signature, so tests can compare each step with AWS's published test suite.</summary>
internal sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string SignedHeaders, string Signature, string Authorization);

/// <summary>
/// AWS Signature Version 4 (header signing, <c>AWS4-HMAC-SHA256</c>) from its public specification: canonical request,
/// string to sign, the HMAC key chain <c>AWS4+secret → date → region → service → aws4_request</c>, and the
/// <c>Authorization</c> header. Pure: the caller supplies the time (<c>x-amz-date</c>).
/// </summary>
internal static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of the empty body.</summary>
    public static readonly string EmptyPayloadHash = Hash([]);

    /// <summary>The <c>x-amz-date</c> form of an instant: <c>yyyyMMddTHHmmssZ</c> (UTC).</summary>
    public static string AmzDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Hash(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    /// <summary>Signs the request with the given key and scope; <paramref name="amzDate"/> must be the request's <c>x-amz-date</c>.</summary>
    public static SigV4Signature Sign(SigV4Request request, string accessKeyId, string secretAccessKey, string region, string service, string amzDate)
    {
        var headers = CanonicalHeaders(request.Headers);
        var signedHeaders = string.Join(';', headers.Select(h => h.Key));
        var canonical = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalPath(request.Path),
            CanonicalQuery(request.Query),
            string.Concat(headers.Select(h => h.Key + ":" + h.Value + "\n")),
            signedHeaders,
            request.PayloadHash);
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hash(Encoding.UTF8.GetBytes(canonical)));
        var key = SigningKey(secretAccessKey, amzDate[..8], region, service);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonical, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary><c>HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")</c>.</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>Each path segment decoded, then URI-encoded once (RFC 3986 unreserved characters kept); empty path is <c>/</c>.</summary>
    internal static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));
    }

    /// <summary>Parameters decoded, re-encoded (RFC 3986), sorted by name then value (ordinal), joined with <c>&amp;</c>.</summary>
    internal static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? p : p[..eq];
                var value = eq < 0 ? "" : p[(eq + 1)..];
                return (Name: Uri.EscapeDataString(Uri.UnescapeDataString(name)), Value: Uri.EscapeDataString(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>Lower-case names, values trimmed with inner space runs collapsed, repeated names joined by <c>,</c>, sorted.</summary>
    internal static SortedDictionary<string, string> CanonicalHeaders(IEnumerable<(string Name, string Value)> headers)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            var trimmed = string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
            result[key] = result.TryGetValue(key, out var existing) ? existing + "," + trimmed : trimmed;
        }

        return result;
    }
}
