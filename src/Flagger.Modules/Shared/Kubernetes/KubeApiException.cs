using System.Net;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>A failed API call, with the HTTP status and the server's <c>Status.message</c> when it sent one.</summary>
public sealed class KubeApiException(HttpStatusCode statusCode, string reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The <c>Status.reason</c> (<c>NotFound</c>, <c>AlreadyExists</c>, <c>Conflict</c>, …), or the HTTP reason phrase.</summary>
    public string Reason { get; } = reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    /// <summary>Worth retrying: 5xx (including our own timeout and unreachable mappings), 429 Too Many Requests, 408.</summary>
    public bool IsTransient => (int)StatusCode >= 500 || StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>401 or 403: the credentials or their RBAC grants are wrong; retrying does not help.</summary>
    public bool IsAuthorizationFailure => StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
