using System.Runtime.CompilerServices;
using Flagger.Modules.Shared.Json;
using k8s.Models;

namespace Flagger.Modules.Workloads.Transforms;

/// <summary>A ConfigMap or Secret referenced by the pod spec; <see cref="Required"/> unless every reference is optional.</summary>
internal readonly record struct ConfigReference(string Type, string Name, bool Required)
{
    public const string ConfigMap = "configmap";
    public const string Secret = "secret";

    /// <summary>The <c>status.trackedConfigs</c> key, <c>configmap/&lt;name&gt;</c> or <c>secret/&lt;name&gt;</c>.</summary>
    public string Key => $"{Type}/{Name}";
}

/// <summary>Pure parts of config tracking (upstream <c>pkg/canary/config_tracker.go</c>).</summary>
internal static class ConfigTracking
{
    public const string DisabledAnnotation = "flagger.app/config-tracking";

    private static readonly HashSet<string> TrackedSecretTypes =
        ["Opaque", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth", "kubernetes.io/tls"];

    // upstream: config_tracker.go configIsDisabled
    public static bool IsDisabled(IDictionary<string, string>? annotations) =>
        annotations is not null && annotations.TryGetValue(DisabledAnnotation, out var v) && v.StartsWith("disable", StringComparison.Ordinal);

    /// <summary>Secrets of other types (registry credentials, service-account tokens) are never tracked.</summary>
    public static bool IsTrackedSecretType(string? type) => type is not null && TrackedSecretTypes.Contains(type);

    // upstream: config_tracker.go checksum(config.Data)
    public static string Checksum(V1ConfigMap configMap) => KubeObjects.ShortSha256(GoJson.MarshalMap(configMap.Data?.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))));

    public static string Checksum(V1Secret secret) => KubeObjects.ShortSha256(GoJson.MarshalMap(secret.Data?.Select(kv => KeyValuePair.Create(kv.Key, kv.Value is null ? null : (string?)Convert.ToBase64String(kv.Value)))));

    // cache snapshots are immutable (a watch event brings a new instance): remember their checksum per instance
    private static readonly ConditionalWeakTable<V1ConfigMap, string> ConfigMapChecksums = new();
    private static readonly ConditionalWeakTable<V1Secret, string> SecretChecksums = new();

    public static string ChecksumOfSnapshot(V1ConfigMap configMap) => ConfigMapChecksums.GetValue(configMap, Checksum);

    public static string ChecksumOfSnapshot(V1Secret secret) => SecretChecksums.GetValue(secret, Checksum);

    /// <summary>
    /// References in volumes (configMap, secret, projected sources) and in env/envFrom of containers and initContainers.
    /// As upstream, when a name is referenced more than once the last reference decides whether it is required.
    /// </summary>
    // upstream: config_tracker.go GetTargetConfigs (scan part)
    public static IReadOnlyList<ConfigReference> Scan(V1PodSpec? spec)
    {
        var configMaps = new Dictionary<string, bool>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var volume in spec?.Volumes ?? [])
        {
            if (volume.ConfigMap is { } cm)
            {
                configMaps[cm.Name ?? ""] = Mandatory(cm.Optional);
            }

            if (volume.Secret is { } s)
            {
                secrets[s.SecretName ?? ""] = Mandatory(s.Optional);
            }

            foreach (var source in volume.Projected?.Sources ?? [])
            {
                if (source.ConfigMap is { } pcm)
                {
                    configMaps[pcm.Name ?? ""] = Mandatory(pcm.Optional);
                }

                if (source.Secret is { } ps)
                {
                    secrets[ps.Name ?? ""] = Mandatory(ps.Optional);
                }
            }
        }

        foreach (var container in (spec?.Containers ?? []).Concat(spec?.InitContainers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.ConfigMapKeyRef is { } cmk)
                {
                    configMaps[cmk.Name ?? ""] = Mandatory(cmk.Optional);
                }
                else if (env.ValueFrom?.SecretKeyRef is { } sk)
                {
                    secrets[sk.Name ?? ""] = Mandatory(sk.Optional);
                }
            }

            foreach (var envFrom in container.EnvFrom ?? [])
            {
                if (envFrom.ConfigMapRef is { } cmr)
                {
                    configMaps[cmr.Name ?? ""] = Mandatory(cmr.Optional);
                }
                else if (envFrom.SecretRef is { } sr)
                {
                    secrets[sr.Name ?? ""] = Mandatory(sr.Optional);
                }
            }
        }

        return configMaps.Select(kv => new ConfigReference(ConfigReference.ConfigMap, kv.Key, kv.Value))
            .Concat(secrets.Select(kv => new ConfigReference(ConfigReference.Secret, kv.Key, kv.Value)))
            .ToList();
    }

    /// <summary>Appends <c>-primary</c> to every reference whose key is in <paramref name="tracked"/> (volumes, projected, env, envFrom; containers and initContainers).</summary>
    // upstream: config_tracker.go ApplyPrimaryConfigs
    public static V1PodSpec RewriteToPrimary(V1PodSpec spec, IReadOnlySet<string> tracked)
    {
        var copy = KubeObjects.Clone(spec);
        string Rename(string type, string? name) =>
            name is not null && tracked.Contains($"{type}/{name}") ? name + KubeObjects.PrimarySuffix : name!;

        foreach (var volume in copy.Volumes ?? [])
        {
            if (volume.ConfigMap is { } cm)
            {
                cm.Name = Rename(ConfigReference.ConfigMap, cm.Name);
            }

            if (volume.Secret is { } s)
            {
                s.SecretName = Rename(ConfigReference.Secret, s.SecretName);
            }

            foreach (var source in volume.Projected?.Sources ?? [])
            {
                if (source.ConfigMap is { } pcm)
                {
                    pcm.Name = Rename(ConfigReference.ConfigMap, pcm.Name);
                }

                if (source.Secret is { } ps)
                {
                    ps.Name = Rename(ConfigReference.Secret, ps.Name);
                }
            }
        }

        foreach (var container in (copy.Containers ?? []).Concat(copy.InitContainers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.ConfigMapKeyRef is { } cmk)
                {
                    cmk.Name = Rename(ConfigReference.ConfigMap, cmk.Name);
                }
                else if (env.ValueFrom?.SecretKeyRef is { } sk)
                {
                    sk.Name = Rename(ConfigReference.Secret, sk.Name);
                }
            }

            foreach (var envFrom in container.EnvFrom ?? [])
            {
                if (envFrom.ConfigMapRef is { } cmr)
                {
                    cmr.Name = Rename(ConfigReference.ConfigMap, cmr.Name);
                }
                else if (envFrom.SecretRef is { } sr)
                {
                    sr.Name = Rename(ConfigReference.Secret, sr.Name);
                }
            }
        }

        return copy;
    }

    private static bool Mandatory(bool? optional) => optional is not true;
}
