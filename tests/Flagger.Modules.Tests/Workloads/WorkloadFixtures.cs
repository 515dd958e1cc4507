using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Workloads;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.Modules.Tests.Workloads;

/// <summary>The podinfo canary of upstream's fixtures (pkg/canary/deployment_fixture_test.go), in C#.</summary>
internal static class WorkloadFixtures
{
    public const string Ns = "default";

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    public static Canary Canary(string kind = "Deployment", string target = "podinfo", Action<CanarySpec>? configure = null)
    {
        var canary = new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo", NamespaceProperty = Ns, Uid = "canary-uid-1" },
            Spec = new CanarySpec
            {
                TargetRef = new LocalObjectReference { ApiVersion = kind == "Service" ? "v1" : "apps/v1", Kind = kind, Name = target },
                Service = new CanaryService { Port = 9898 },
                Analysis = new CanaryAnalysis(),
            },
        };
        configure?.Invoke(canary.Spec);
        return canary;
    }

    public static V1PodSpec PodSpec() => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "podinfo",
                Image = "ghcr.io/stefanprodan/podinfo:6.0.0",
                Ports = [new V1ContainerPort { Name = "http", ContainerPort = 9898 }, new V1ContainerPort { ContainerPort = 9797 }],
                Env =
                [
                    new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "podinfo-config-env", Key = "color" } } },
                    new V1EnvVar { Name = "API_KEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "podinfo-secret-env", Key = "apiKey" } } },
                    new V1EnvVar { Name = "PLAIN", Value = "x" },
                ],
                EnvFrom =
                [
                    new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "podinfo-config-all-env" } },
                    new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "podinfo-secret-all-env" } },
                ],
            },
        ],
        InitContainers =
        [
            new V1Container
            {
                Name = "init",
                Image = "busybox",
                Env = [new V1EnvVar { Name = "INIT", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "podinfo-config-init-env", Key = "color" } } }],
            },
        ],
        Volumes =
        [
            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "podinfo-config-vol" } },
            new V1Volume { Name = "secret", Secret = new V1SecretVolumeSource { SecretName = "podinfo-secret-vol" } },
            new V1Volume
            {
                Name = "projected",
                Projected = new V1ProjectedVolumeSource
                {
                    Sources =
                    [
                        new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "podinfo-config-projected" } },
                        new V1VolumeProjection { Secret = new V1SecretProjection { Name = "podinfo-secret-projected" } },
                    ],
                },
            },
            new V1Volume { Name = "optional", ConfigMap = new V1ConfigMapVolumeSource { Name = "podinfo-config-missing", Optional = true } },
            new V1Volume { Name = "cache", EmptyDir = new V1EmptyDirVolumeSource() },
        ],
        Affinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1WeightedPodAffinityTerm
                    {
                        Weight = 100,
                        PodAffinityTerm = new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector
                            {
                                MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In", Values = ["podinfo", "other"] }],
                            },
                        },
                    },
                ],
                RequiredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PodAffinityTerm
                    {
                        TopologyKey = "kubernetes.io/hostname",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "podinfo", ["tier"] = "podinfo" } },
                    },
                ],
            },
        },
        TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = 1,
                TopologyKey = "topology.kubernetes.io/zone",
                WhenUnsatisfiable = "DoNotSchedule",
                LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "podinfo" } },
            },
        ],
    };

    public static V1Deployment Deployment(string name = "podinfo", int? replicas = 1) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = Ns,
            Generation = 1,
            Labels = new Dictionary<string, string>
            {
                ["app"] = name,
                ["team"] = "a",
                ["kustomize.toolkit.fluxcd.io/name"] = "apps",
            },
            Annotations = new Dictionary<string, string>
            {
                ["deployment.kubernetes.io/revision"] = "1",
                ["owner"] = "team-a",
                ["helm.toolkit.fluxcd.io/driftDetection"] = "enabled",
            },
        },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            ProgressDeadlineSeconds = 60,
            MinReadySeconds = 5,
            RevisionHistoryLimit = 3,
            Strategy = new V1DeploymentStrategy { Type = "RollingUpdate" },
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta
                {
                    Labels = new Dictionary<string, string> { ["app"] = name, ["version"] = "v1" },
                    Annotations = new Dictionary<string, string> { ["prometheus.io/scrape"] = "true", ["kustomize.toolkit.fluxcd.io/checksum"] = "abc" },
                },
                Spec = PodSpec(),
            },
        },
        Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, AvailableReplicas = 1 },
    };

    public static V1DaemonSet DaemonSet(string name = "podinfo")
    {
        var deployment = Deployment(name);
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = deployment.Metadata,
            Spec = new V1DaemonSetSpec
            {
                MinReadySeconds = 5,
                RevisionHistoryLimit = 3,
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "RollingUpdate" },
                Selector = deployment.Spec.Selector,
                Template = deployment.Spec.Template,
            },
            Status = new V1DaemonSetStatus { ObservedGeneration = 1, DesiredNumberScheduled = 2, UpdatedNumberScheduled = 2, NumberAvailable = 2 },
        };
    }

    /// <summary>All configs the pod spec references (except the optional missing one), plus an untracked registry secret.</summary>
    public static void SeedConfigs(InMemoryKube kube)
    {
        foreach (var name in new[] { "podinfo-config-env", "podinfo-config-all-env", "podinfo-config-init-env", "podinfo-config-vol", "podinfo-config-projected" })
        {
            kube.Seed(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["team"] = "a", ["app"] = "podinfo" } },
                Data = new Dictionary<string, string> { ["color"] = "blue" },
            });
        }

        foreach (var name in new[] { "podinfo-secret-env", "podinfo-secret-all-env", "podinfo-secret-vol", "podinfo-secret-projected" })
        {
            kube.Seed(new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { ["apiKey"] = "my-secret"u8.ToArray() },
            });
        }
    }

    public static (TargetControllerFactory Factory, FakeTimeProvider Time) Factory(InMemoryKube kube, WorkloadOptions? options = null)
    {
        var time = new FakeTimeProvider(Now);
        return (new TargetControllerFactory(kube, kube, options ?? new WorkloadOptions(), time, NullLoggerFactory.Instance), time);
    }
}
