using Flagger.Modules.Alerting.Contracts;

namespace Flagger.Modules.Alerting;

/// <summary>The notifier of an empty hook URL: accepts everything, sends nothing.</summary>
// upstream: pkg/notifier/nop.go
internal sealed class NopNotifier : INotifier
{
    public static readonly NopNotifier Instance = new();

    public Task PostAsync(string workload, string @namespace, string message, IReadOnlyList<AlertField> fields, AlertSeverity severity, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
