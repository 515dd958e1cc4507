using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Json;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Webhooks;

/// <summary>
/// Runs webhooks over HTTP with upstream's retry policy (hashicorp go-retryablehttp defaults): each attempt has its own
/// timeout; connection errors, timeouts, 429 and 5xx except 501 are retried <c>retries</c> times with backoff
/// min(1s·2^i, 30s) or the server's Retry-After; certificate errors are not retried. All waiting uses
/// <see cref="TimeProvider"/>.
/// </summary>
// upstream: pkg/controller/webhook.go callWebhook, CallWebhook; github.com/hashicorp/go-retryablehttp client.go
internal sealed partial class HttpWebhookRunner(WebhookHttpClients clients, TimeProvider time, ILogger<HttpWebhookRunner> logger)
    : IWebhookRunner
{
    private static readonly string DefaultTimeoutText = $"{CanaryDefaults.WebhookTimeout.TotalSeconds}s";
    internal static readonly TimeSpan RetryWaitMin = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan RetryWaitMax = TimeSpan.FromSeconds(30);
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The longest per-attempt timeout honoured; a longer <c>timeout</c> is capped to it.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    public Task<WebhookOutcome> RunAsync(Canary canary, CanaryWebhook webhook, CanaryPhase phase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(webhook);
        var payload = WebhookPayload.For(canary, WebhookPayload.PhaseText(phase), webhook.Metadata);

        // upstream: CallWebhook treats a timeout shorter than two characters as unset.
        var timeout = webhook.Timeout is { Length: >= 2 } t ? t : null;
        return SendAsync(webhook, payload, timeout, cancellationToken);
    }

    /// <summary>Posts <paramref name="payload"/> to the hook; <paramref name="timeoutText"/> null or empty means 10s.</summary>
    internal async Task<WebhookOutcome> SendAsync(CanaryWebhook webhook, WebhookPayload payload, string? timeoutText, CancellationToken cancellationToken)
    {
        var name = webhook.Name ?? "";
        if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return new WebhookOutcome(name, false, null, $"webhook {name}: url \"{webhook.Url}\" is not an absolute http(s) URL", 0);
        }

        var timeout = CanaryDefaults.WebhookTimeout;
        if (!string.IsNullOrEmpty(timeoutText) && !GoDuration.TryParse(timeoutText, out timeout, out var durationError))
        {
            return new WebhookOutcome(name, false, null, $"webhook {name}: timeout: {durationError}", 0);
        }

        if (timeout > MaxTimeout)
        {
            Log.TimeoutCapped(logger, name, timeoutText!, MaxTimeout);
            timeout = MaxTimeout;
            timeoutText = "1h0m0s";
        }

        var retries = Math.Max(0, webhook.Retries ?? 0);
        var body = GoJson.Serialize(payload);
        var client = clients.For(webhook.DisableTls == true);
        var target = Redact(url);

        for (var attempt = 1; ; attempt++)
        {
            var result = await AttemptAsync(client, url, body, timeout, string.IsNullOrEmpty(timeoutText) ? DefaultTimeoutText : timeoutText, cancellationToken).ConfigureAwait(false);
            if (!result.ShouldRetry)
            {
                if (result.TransportError is not null)
                {
                    // Not retryable (certificate): upstream still reports it through the retry client's give-up error.
                    return new WebhookOutcome(name, false, null, $"POST {target} giving up after {attempt} attempt(s): {result.TransportError}", attempt);
                }

                var status = result.StatusCode!.Value;
                return status <= 202
                    ? new WebhookOutcome(name, true, status, null, attempt)
                    : new WebhookOutcome(name, false, status, ErrorText(result), attempt);
            }

            if (attempt > retries)
            {
                var reason = result.RetryReason is null ? "" : $": {result.RetryReason}";
                return new WebhookOutcome(name, false, result.StatusCode, $"POST {target} giving up after {attempt} attempt(s){reason}", attempt);
            }

            var wait = Backoff(attempt - 1, result.StatusCode, result.RetryAfter);
            Log.Retrying(logger, name, target, result.RetryReason ?? $"HTTP {result.StatusCode}", wait, retries - attempt + 1);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>go-retryablehttp <c>DefaultBackoff</c>: Retry-After on 429/503, else min·2^i capped at max.</summary>
    internal TimeSpan Backoff(int retryIndex, int? statusCode, string? retryAfter)
    {
        if (statusCode is 429 or 503 && TryParseRetryAfter(retryAfter, out var sleep))
        {
            return sleep;
        }

        var wait = Math.Pow(2, retryIndex) * RetryWaitMin.Ticks;
        return wait > RetryWaitMax.Ticks ? RetryWaitMax : TimeSpan.FromTicks((long)wait);
    }

    private bool TryParseRetryAfter(string? header, out TimeSpan sleep)
    {
        sleep = TimeSpan.Zero;
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        if (long.TryParse(header, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds)
            {
                return false;
            }

            sleep = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (DateTimeOffset.TryParseExact(header, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var until = date - time.GetUtcNow();
            sleep = until > TimeSpan.Zero ? until : TimeSpan.Zero;
            return true;
        }

        return false;
    }

    private async Task<AttemptResult> AttemptAsync(HttpClient client, Uri url, byte[] body, TimeSpan timeout, string timeoutText, CancellationToken cancellationToken)
    {
        using var timeoutCts = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var (text, totalBytes) = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;
            var statusLine = $"{status} {response.ReasonPhrase}".TrimEnd();

            // upstream: go-retryablehttp baseRetryPolicy
            return status switch
            {
                429 => new AttemptResult(status, text, totalBytes, statusLine, true, null, null, retryAfter),
                0 or (>= 500 and not 501) => new AttemptResult(status, text, totalBytes, statusLine, true, $"unexpected HTTP status {statusLine}", null, retryAfter),
                _ => new AttemptResult(status, text, totalBytes, statusLine, false, null, null, retryAfter),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var error = $"Post \"{Redact(url)}\": timeout after {timeoutText} (webhook timeout exceeded while awaiting the response)";
            return new AttemptResult(null, null, 0, null, true, error, error, null);
        }
        catch (HttpRequestException ex)
        {
            var error = $"Post \"{Redact(url)}\": {Describe(ex)}";
            var certificate = ex.InnerException is AuthenticationException;
            return new AttemptResult(null, null, 0, null, !certificate, error, error, null);
        }
    }

    private static async Task<(string Text, long TotalBytes)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Keep the first MaxBodyBytes, count (and drop) the rest.
            var buffer = new byte[MaxBodyBytes];
            var discard = new byte[8192];
            var filled = 0;
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(filled < buffer.Length ? buffer.AsMemory(filled) : discard.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (filled < buffer.Length)
                {
                    filled += read;
                }
            }

            return (Encoding.UTF8.GetString(buffer, 0, filled), total);
        }
    }

    private static string ErrorText(AttemptResult result)
    {
        var body = result.Body ?? "";
        if (body.Length == 0)
        {
            // Upstream shows the (empty) body; a status line tells the reader more than nothing.
            return $"HTTP status {result.StatusLine}";
        }

        return body.Length <= WebhookOutcome.MaxErrorLength && result.TotalBytes <= MaxBodyBytes
            ? body
            : $"{body[..Math.Min(body.Length, WebhookOutcome.MaxErrorLength)]}… (truncated, {result.TotalBytes} bytes)";
    }

    private static string Describe(HttpRequestException ex) =>
        ex.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message) && !ex.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{ex.Message} {inner.Message}"
            : ex.Message;

    /// <summary>The URL as logged and reported: a password in the user info is replaced, as go-retryablehttp's redactURL.</summary>
    internal static string Redact(Uri url)
    {
        if (string.IsNullOrEmpty(url.UserInfo) || !url.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return url.OriginalString;
        }

        var builder = new UriBuilder(url) { Password = "xxxxx" };
        return builder.Uri.ToString();
    }

    private sealed record AttemptResult(
        int? StatusCode, string? Body, long TotalBytes, string? StatusLine, bool ShouldRetry, string? RetryReason, string? TransportError, string? RetryAfter);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "webhook {Name}: timeout {Timeout} is longer than {Max}; capped")]
        public static partial void TimeoutCapped(ILogger logger, string name, string timeout, TimeSpan max);

        [LoggerMessage(Level = LogLevel.Debug, Message = "webhook {Name}: POST {Url} failed ({Reason}), retrying in {Wait} ({Remaining} left)")]
        public static partial void Retrying(ILogger logger, string name, string url, string reason, TimeSpan wait, int remaining);
    }
}
