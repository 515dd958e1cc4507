namespace Flagger.Modules.Analysis.Providers;

/// <summary>One metrics backend, built per check from a MetricTemplate's <c>spec.provider</c> (or the metrics server for builtin metrics).</summary>
// upstream: pkg/metrics/providers/provider.go
internal interface IMetricProvider
{
    /// <summary>Runs the rendered query and returns one value; throws <see cref="MetricQueryException"/> on failure.</summary>
    Task<double> RunQueryAsync(string query, CancellationToken cancellationToken);

    /// <summary>Checks that the backend answers; throws <see cref="MetricQueryException"/> when it does not.</summary>
    Task IsOnlineAsync(CancellationToken cancellationToken);
}

/// <summary>A failed query; <see cref="NoValues"/> marks upstream's <c>ErrNoValuesFound</c>.</summary>
internal class MetricQueryException(string message, bool noValues = false, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Upstream's <c>ErrNoValuesFound</c> text.</summary>
    public const string NoValuesFound = "no values found";

    public bool NoValues { get; } = noValues;

    /// <summary>Adds a prefix to the message, as Go's <c>fmt.Errorf("prefix: %w", err)</c> would.</summary>
    public MetricQueryException Wrap(string prefix) => new($"{prefix}: {Message}", NoValues, this);
}

/// <summary>A template's provider block that cannot be turned into a provider (bad address, missing credential, unsupported type).</summary>
internal sealed class MetricProviderConfigException(string message) : Exception(message);
