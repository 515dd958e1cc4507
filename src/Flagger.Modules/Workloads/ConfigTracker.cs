using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Kubernetes;
using Flagger.Modules.Workloads.Contracts;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Workloads;

/// <summary>A tracked ConfigMap/Secret with its checksum.</summary>
internal sealed record TrackedConfig(ConfigReference Reference, string Checksum);

/// <summary>
/// Config tracking over the caches (upstream <c>pkg/canary/config_tracker.go</c>; with tracking disabled it behaves as
/// upstream's <c>NopTracker</c>): which ConfigMaps/Secrets of a pod spec are tracked, their checksums, and the
/// <c>-primary</c> copies.
/// </summary>
internal sealed partial class ConfigTracker(IKubeCache cache, IKubeWriter writer, WorkloadOptions options, ILogger logger)
{
    public bool Enabled => options.EnableConfigTracking;

    // upstream: config_tracker.go GetTargetConfigs
    public IReadOnlyDictionary<string, TrackedConfig> GetTargetConfigs(Canary canary, V1PodSpec? spec)
    {
        var result = new Dictionary<string, TrackedConfig>(StringComparer.Ordinal);
        if (!Enabled)
        {
            return result;
        }

        var ns = CanaryFacts.Namespace(canary);
        foreach (var reference in ConfigTracking.Scan(spec))
        {
            string? checksum;
            if (reference.Type == ConfigReference.ConfigMap)
            {
                var configMap = cache.Get<V1ConfigMap>(ns, reference.Name);
                if (configMap is null)
                {
                    Missing(canary, reference, $"configmap {reference.Name}.{ns} get query error: configmaps \"{reference.Name}\" not found");
                    continue;
                }

                checksum = ConfigTracking.IsDisabled(configMap.Metadata.Annotations) ? null : ConfigTracking.ChecksumOfSnapshot(configMap);
            }
            else
            {
                var secret = cache.Get<V1Secret>(ns, reference.Name);
                if (secret is null)
                {
                    Missing(canary, reference, $"secret {reference.Name}.{ns} get query error: secrets \"{reference.Name}\" not found");
                    continue;
                }

                checksum = !ConfigTracking.IsTrackedSecretType(secret.Type) || ConfigTracking.IsDisabled(secret.Metadata.Annotations)
                    ? null
                    : ConfigTracking.ChecksumOfSnapshot(secret);
            }

            if (checksum is not null)
            {
                result[reference.Key] = new TrackedConfig(reference, checksum);
            }
        }

        return result;
    }

    /// <summary><c>status.trackedConfigs</c>: null when tracking is disabled (upstream NopTracker), else key → checksum.</summary>
    public Dictionary<string, string>? GetConfigRefs(Canary canary, V1PodSpec? spec) =>
        Enabled ? GetTargetConfigs(canary, spec).ToDictionary(kv => kv.Key, kv => kv.Value.Checksum, StringComparer.Ordinal) : null;

    /// <summary>Creates or updates <c>&lt;name&gt;-primary</c> for every tracked config; unchanged copies are not written.</summary>
    // upstream: config_tracker.go CreatePrimaryConfigs
    public async Task SyncPrimaryConfigsAsync(Canary canary, IReadOnlyDictionary<string, TrackedConfig> configs, CancellationToken cancellationToken)
    {
        var ns = CanaryFacts.Namespace(canary);
        foreach (var config in configs.Values.OrderBy(c => c.Reference.Key, StringComparer.Ordinal))
        {
            var name = config.Reference.Name;
            var primaryName = name + KubeObjects.PrimarySuffix;
            if (config.Reference.Type == ConfigReference.ConfigMap)
            {
                var source = cache.Get<V1ConfigMap>(ns, name)
                    ?? throw new WorkloadException($"configmap {name}.{ns} get query failed : configmaps \"{name}\" not found");
                var current = cache.Get<V1ConfigMap>(ns, primaryName);
                var desired = PrimaryConfigs.ConfigMap(canary, source, current, options.IncludeLabelPrefix);
                await UpsertAsync(desired, current, current is not null && PrimaryConfigs.UpToDate(desired, current), "configmap", cancellationToken);
            }
            else
            {
                var source = cache.Get<V1Secret>(ns, name)
                    ?? throw new WorkloadException($"secret {name}.{ns} get query failed : secrets \"{name}\" not found");
                var current = cache.Get<V1Secret>(ns, primaryName);
                var desired = PrimaryConfigs.Secret(canary, source, current, options.IncludeLabelPrefix);
                await UpsertAsync(desired, current, current is not null && PrimaryConfigs.UpToDate(desired, current), "secret", cancellationToken);
            }
        }
    }

    private async Task UpsertAsync<T>(T desired, T? current, bool upToDate, string kind, CancellationToken cancellationToken)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        if (upToDate)
        {
            return;
        }

        var meta = desired.Metadata;
        try
        {
            if (current is null)
            {
                await writer.CreateAsync(desired, cancellationToken);
            }
            else
            {
                await writer.ReplaceAsync(desired, cancellationToken);
            }
        }
        catch (KubeApiException e)
        {
            throw new WorkloadException($"{(current is null ? "creating" : "updating")} {kind} {meta.Name}.{meta.NamespaceProperty} failed: {e.Message}", e);
        }

        Log.ConfigSynced(logger, kind, meta.Name, meta.NamespaceProperty);
    }

    private void Missing(Canary canary, ConfigReference reference, string message)
    {
        if (reference.Required)
        {
            throw new WorkloadException(message);
        }

        Log.OptionalConfigMissing(logger, reference.Type, reference.Name, canary.Metadata.Name, canary.Metadata.NamespaceProperty);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Name}.{Namespace} synced")]
        public static partial void ConfigSynced(ILogger logger, string kind, string name, string? @namespace);

        [LoggerMessage(Level = LogLevel.Warning, Message = "optional {Type} {Name} not found, not tracked (canary {Canary}.{Namespace})")]
        public static partial void OptionalConfigMissing(ILogger logger, string type, string name, string canary, string? @namespace);
    }
}
