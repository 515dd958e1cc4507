namespace Flagger.Modules.Webhooks.Contracts;

/// <summary>The result of one webhook call.</summary>
/// <param name="Name">The webhook's <c>name</c>.</param>
/// <param name="Success">True iff the final response status was ≤ 202.</param>
/// <param name="StatusCode">The final HTTP status, or null when no response arrived (connection error, timeout, bad spec).</param>
/// <param name="Error">
/// Why it failed, for event texts: the response body (truncated to <see cref="MaxErrorLength"/> characters) for a
/// non-retryable status, <c>"POST &lt;url&gt; giving up after N attempt(s)[: reason]"</c> once retries are exhausted,
/// or a message naming the bad field (<c>url</c>, <c>timeout</c>). Null on success.
/// </param>
/// <param name="Attempts">HTTP attempts made (0 when the spec was invalid).</param>
public sealed record WebhookOutcome(string Name, bool Success, int? StatusCode, string? Error, int Attempts)
{
    /// <summary>Longest error text kept from a response body.</summary>
    public const int MaxErrorLength = 1024;
}
