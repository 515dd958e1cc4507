namespace Flagger.E2E.Environment;

/// <summary>
/// The suite's cluster, shared by every scenario (each works in its own namespace). The backend comes from
/// <c>FLAGGER_E2E_BACKEND</c>: <c>simulated</c> (default) or <c>k3s</c>. When the backend cannot start for a reason
/// outside the product (no Docker for k3s), scenarios report skipped with that reason.
/// </summary>
public sealed class E2EEnvironment : IAsyncLifetime
{
    private IClusterBackend? _backend;
    private string? _skipReason;

    public static string BackendName =>
        System.Environment.GetEnvironmentVariable("FLAGGER_E2E_BACKEND") is { Length: > 0 } name ? name.Trim().ToLowerInvariant() : "simulated";

    /// <summary>The running backend, or a skip with the reason it is not available.</summary>
    public IClusterBackend Backend
    {
        get
        {
            if (_skipReason is not null)
            {
                Assert.Skip(_skipReason);
            }

            return _backend ?? throw new InvalidOperationException("the E2E environment did not start");
        }
    }

    /// <summary>Starts a backend of the configured kind; a separate one when a scenario must own its operator.</summary>
    public static async Task<(IClusterBackend? Backend, string? SkipReason)> StartBackendAsync(CancellationToken cancellationToken)
    {
        switch (BackendName)
        {
            case "simulated":
                return PrometheusProcess.Binary is null
                    ? (null, "simulated backend: no `prometheus` binary ($PROMETHEUS_BINARY or PATH); install it with `apt-get install prometheus` or `brew install prometheus` (eng/prerequisites.sh does)")
                    : (await SimulatedBackend.StartAsync(cancellationToken), null);
            case "k3s":
                var reason = await K3sBackend.UnavailableReasonAsync(cancellationToken);
                return reason is null ? (await K3sBackend.StartAsync(cancellationToken), null) : (null, reason);
            default:
                throw new InvalidOperationException($"FLAGGER_E2E_BACKEND=\"{BackendName}\" is not a backend (use simulated or k3s)");
        }
    }

    public async ValueTask InitializeAsync() => (_backend, _skipReason) = await StartBackendAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}
