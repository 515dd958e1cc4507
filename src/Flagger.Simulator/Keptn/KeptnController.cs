using System.Globalization;
using System.Text.Json.Nodes;
using Flagger.Simulator.Store;
using Microsoft.Extensions.Logging;

namespace Flagger.Simulator.Keptn;

/// <summary>What a Keptn Analysis asks for: its namespace and name, the AnalysisDefinition, the timeframe and the args.</summary>
public sealed record KeptnAnalysisRequest(string Namespace, string Name, string Definition, string Recent, IReadOnlyDictionary<string, string> Args);

/// <summary>
/// Plays Keptn's metrics-operator once the <c>metrics.keptn.sh</c> CRDs (<c>deploy/dev/keptn-crds.yaml</c>) are applied:
/// every new Analysis gets, after <see cref="Delay"/>, <c>status.state: Completed</c> and <c>status.pass</c> from
/// <see cref="Verdict"/> (null leaves it pending, as an analysis whose provider never answers), and
/// <see cref="SetMetricValue"/> writes a KeptnMetric's <c>status.value</c> as the operator's fetch loop would.
/// </summary>
public sealed partial class KeptnController
{
    private const string Group = "metrics.keptn.sh";
    private readonly ClusterStore store;
    private readonly ILogger logger;

    internal KeptnController(ClusterStore store, ILogger logger)
    {
        this.store = store;
        this.logger = logger;
    }

    /// <summary>The verdict of each Analysis; the default passes every one.</summary>
    public Func<KeptnAnalysisRequest, bool?> Verdict { get; set; } = _ => true;

    /// <summary>How long an Analysis stays Progressing before it completes.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Writes <c>status.value</c> (and <c>rawValue</c>, base64) of an existing KeptnMetric.</summary>
    public void SetMetricValue(string @namespace, string name, double value)
    {
        var type = TypeOf("keptnmetrics") ?? throw new InvalidOperationException("the KeptnMetric CRD is not applied (deploy/dev/keptn-crds.yaml)");
        var text = value.ToString(CultureInfo.InvariantCulture);
        store.Patch(type, @namespace, name, status: true, existing =>
        {
            var body = existing!.CloneNode();
            body["status"] = new JsonObject
            {
                ["value"] = text,
                ["rawValue"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)),
                ["lastUpdated"] = store.Now(),
            };
            return (body, existing.Managers);
        });
    }

    internal async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (TypeOf("analyses") is not { } type)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), store.Time, ct);
                    continue;
                }

                await WatchAsync(type, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private ResourceType? TypeOf(string plural) => store.Types().FirstOrDefault(t => t.Group == Group && t.Plural == plural);

    private async Task WatchAsync(ResourceType type, CancellationToken ct)
    {
        var watcher = store.Watch(type, null, LabelSelector.Everything, FieldSelector.Everything, "0");
        try
        {
            await foreach (var evt in watcher.Channel.Reader.ReadAllAsync(ct))
            {
                if (evt.Type == "ADDED")
                {
                    var request = store.Read(() => Request(evt.Object));
                    _ = CompleteLaterAsync(type, request, ct);
                }
            }
        }
        finally
        {
            store.StopWatch(watcher);
        }
    }

    private static KeptnAnalysisRequest Request(StoredObject obj)
    {
        var spec = obj.Node["spec"];
        var args = (spec?["args"] as JsonObject)?.ToDictionary(a => a.Key, a => (string?)a.Value ?? "") ?? [];
        return new KeptnAnalysisRequest(obj.Namespace ?? "", obj.Name, (string?)spec?["analysisDefinition"]?["name"] ?? "",
            (string?)spec?["timeframe"]?["recent"] ?? "", args);
    }

    private async Task CompleteLaterAsync(ResourceType type, KeptnAnalysisRequest request, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Delay, store.Time, ct);
            if (Verdict(request) is not { } pass)
            {
                return;
            }

            store.Patch(type, request.Namespace, request.Name, status: true, existing =>
            {
                var body = existing!.CloneNode();
                var now = store.Time.GetUtcNow();
                var recent = GoDurationOrFiveMinutes(request.Recent);
                body["status"] = new JsonObject
                {
                    ["state"] = "Completed",
                    ["pass"] = pass,
                    ["warning"] = false,
                    ["raw"] = "{}",
                    ["timeframe"] = new JsonObject { ["from"] = Stamp(now - recent), ["to"] = Stamp(now) },
                };
                return (body, existing.Managers);
            });
        }
        catch (OperationCanceledException)
        {
            // Cluster stopping.
        }
        catch (ApiException ex)
        {
            // Deleted before it completed (the provider timed out): nothing to write.
            Log.CompleteFailed(logger, request.Namespace, request.Name, ex.Message);
        }
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The Analysis window for <c>status.timeframe</c>: whole <c>s</c>/<c>m</c>/<c>h</c> durations, else five minutes.</summary>
    private static TimeSpan GoDurationOrFiveMinutes(string recent) =>
        recent.Length > 1 && long.TryParse(recent[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? recent[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromMinutes(5) }
            : TimeSpan.FromMinutes(5);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "keptn controller could not complete Analysis {Namespace}/{Name}: {Reason}")]
        public static partial void CompleteFailed(ILogger logger, string @namespace, string name, string reason);
    }
}
