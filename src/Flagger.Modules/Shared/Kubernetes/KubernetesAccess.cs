using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// Registers the cluster access every module uses: the informer-backed <see cref="IKubeCache"/> (started as a
/// hosted service), the <see cref="IKubeWriter"/>, the <see cref="IEventRecorder"/> and the raw client for startup checks.
/// The cache watches every kind the modules declared with <see cref="WatchRegistrations.AddWatch{T}(IServiceCollection)"/> from the start, and
/// a routing provider's kinds from the first canary that uses it (<see cref="KubeCache.EnsureWatchingAsync"/>).
/// </summary>
public static class KubernetesAccess
{
    /// <summary>Per-request timeout of every API call (watches excepted, which last up to 5 minutes).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    /// <param name="builder">The host.</param>
    /// <param name="configuration">Where the API server is and how to authenticate.</param>
    /// <param name="settings">Namespace scope, leader election and the client-side rate limit.</param>
    /// <param name="watch">
    /// More kinds to cache besides the modules' <see cref="WatchRegistration"/>s, e.g. <c>cache => cache.Watch&lt;V1Deployment&gt;()</c>.
    /// </param>
    public static IHostApplicationBuilder AddKubernetesAccess(
        this IHostApplicationBuilder builder, KubernetesClientConfiguration configuration, KubernetesAccessSettings settings, Action<IKubeCacheRegistration>? watch = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var watchNamespace = settings.WatchNamespace;
        // Watches are long-lived; each call sets its own timeout instead of one client-wide limit.
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        builder.Services.AddSingleton(_ => new k8s.Kubernetes(configuration));
        builder.Services.AddSingleton(sp => new ClientRateLimiter(settings.Qps, settings.Burst, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new KubeApiClient(sp.GetRequiredService<k8s.Kubernetes>(), RequestTimeout, sp.GetRequiredService<ClientRateLimiter>()));
        builder.Services.AddSingleton(sp =>
        {
            var cache = new KubeCache(sp.GetRequiredService<KubeApiClient>(), string.IsNullOrEmpty(watchNamespace) ? null : watchNamespace,
                sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>());
            // A kind registered several times (by modules, by providers) gets one informer: at boot if any registration says so.
            foreach (var registration in sp.GetServices<WatchRegistration>())
            {
                registration.AddTo(cache);
            }

            foreach (var atBoot in sp.GetServices<ProviderWatchedAtBoot>())
            {
                cache.WatchAtBoot(atBoot.Provider);
            }

            watch?.Invoke(new Registration(cache));
            return cache;
        });
        builder.Services.AddSingleton<IKubeCache>(sp => sp.GetRequiredService<KubeCache>());
        builder.Services.AddSingleton<IKubeWriter, KubeWriter>();
        // The one registration of Leadership: whether this process must win the Lease before acting is decided here,
        // from the settings, never by whichever module registers first.
        builder.Services.AddSingleton(new Leadership(settings.LeaderElection));
        builder.Services.AddSingleton<IEventRecorder, EventRecorder>();
        builder.Services.AddHostedService<CacheRunner>();
        return builder;
    }

    /// <summary>The list of kinds the cache watches.</summary>
    public interface IKubeCacheRegistration
    {
        IKubeCacheRegistration Watch<T>() where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta>;
    }

    private sealed class Registration(KubeCache cache) : IKubeCacheRegistration
    {
        public IKubeCacheRegistration Watch<T>() where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta>
        {
            cache.Watch<T>();
            return this;
        }
    }

    private sealed class CacheRunner(KubeCache cache) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => cache.RunAsync(stoppingToken);
    }
}

/// <summary>How the operator talks to the cluster.</summary>
/// <param name="WatchNamespace">One namespace to watch, or null/empty for all.</param>
/// <param name="LeaderElection">True: act only while holding the Lease (the host runs the election); false: act at once.</param>
/// <param name="Qps">Client-side steady request rate (upstream <c>-kubeconfig-qps</c>, default 100; negative: unlimited).</param>
/// <param name="Burst">Client-side burst (upstream <c>-kubeconfig-burst</c>, default 250).</param>
public sealed record KubernetesAccessSettings(string? WatchNamespace, bool LeaderElection = false, double Qps = 100, int Burst = 250);
