using System.Net.Security;

namespace Flagger.Modules.Webhooks;

/// <summary>
/// The two HTTP clients webhooks use, created once: one that verifies certificates (and honours the environment's
/// proxy like Go's default client), one for <c>disableTLS: true</c> that skips verification and, like upstream's bare
/// <c>http.Transport</c>, uses no proxy. Timeouts are applied per attempt by the runner, so the clients have none.
/// </summary>
internal sealed class WebhookHttpClients : IDisposable
{
    public WebhookHttpClients()
    {
        Verified = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        InsecureHandler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
        };
        Insecure = new HttpClient(InsecureHandler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Verified { get; }

    public HttpClient Insecure { get; }

    /// <summary>The handler behind <see cref="Insecure"/>, exposed for tests of its configuration.</summary>
    internal SocketsHttpHandler InsecureHandler { get; }

    public HttpClient For(bool disableTls) => disableTls ? Insecure : Verified;

    public void Dispose()
    {
        Verified.Dispose();
        Insecure.Dispose();
    }
}
