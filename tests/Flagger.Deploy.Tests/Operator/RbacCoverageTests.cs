using Flagger.Deploy.Tests.Helm;
using Flagger.Modules.Shared.Crd;
using k8s;
using k8s.Models;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// The chart's RBAC is exactly enough: rollouts run in-process against the simulator, and every request the operator
/// made (user agent <c>flagger-dotnet</c>) must be allowed by the ClusterRole/Role rendered from charts/flagger, and
/// every grant in them must have been used, except the ones listed in <see cref="NotExercised"/>. The simulator also
/// enforces that RBAC: the rendered ServiceAccount, ClusterRole, Role and bindings are applied to it and the operator
/// authenticates with the ServiceAccount's token, so a missing permission fails the rollout as on a real cluster.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class RbacCoverageTests
{
    private const string Ns = "test";

    private const string ReleaseNamespace = "flagger-system";

    private const string KeptnReason =
        "the keptn metric provider reads KeptnMetrics and creates, polls and deletes Analyses; exercised by the E2E Keptn scenario, not by these Istio releases";

    private const string ContourReason = "the contour router keeps the HTTPProxy <svc>; exercised by the E2E Contour scenario (S18), not by these Istio releases";

    private const string GlooReason =
        "the gloo router keeps the Upstreams <ns>-<svc>-primary/canaryupstream-<port> and the RouteTable <svc>; exercised by the E2E Gloo scenario (S19), not by these Istio releases";

    private const string IngressReason =
        "the nginx and skipper routers watch Ingresses (on demand, once a canary uses them), create and update the canary Ingress (Skipper's Finalize deletes it); exercised by the E2E NGINX and Skipper scenarios (S20, S22), not by these Istio releases";

    private const string SmiReason =
        "the linkerd, osm and smi:* routers create TrafficSplits and shift their weights; exercised by the E2E Linkerd and OSM scenarios, not by these Istio releases (whose cluster has no TrafficSplit CRD to watch)";

    private const string KumaReason =
        "the kuma router creates TrafficRoutes and shifts their weights; exercised by the E2E Kuma scenario and the Runtime kuma release, not by these Istio releases (whose cluster has no TrafficRoute CRD to watch)";

    private const string TraefikReason =
        "the traefik router watches, creates and updates the TraefikService <svc> (these releases run without the Traefik CRDs, so the informer reports the kind as not installed); exercised by the E2E Traefik scenario (S21), not by these Istio releases";

    private const string ApisixReason =
        "the apisix router watches ApisixRoutes and creates and updates <routeRef>-<svc>-canary (these releases run without the APISIX CRDs, so the informer reports the kind as not installed); exercised by the E2E APISIX scenario (S23), not by these Istio releases";

    private const string GatewayApiReason =
        "the gatewayapi:v1/v1beta1 routers read (informer), create and update HTTPRoutes; exercised by the E2E Gateway API scenario (S17), not by these Istio releases";

    private const string AppMeshReason =
        "the appmesh and appmesh:v1beta2 routers watch, create and update App Mesh objects (this harness installs only Istio's CRDs); " +
        "exercised by the E2E App Mesh scenarios (S27), not by these Istio releases";
    private const string KnativeReason =
        "the knative provider and Knative Service targets watch and patch Knative Services and watch Revisions; exercised by the E2E Knative scenario (S28), whose CRDs this cluster does not have";

    private const string KedaReason =
        "a KEDA autoscalerRef creates and syncs the primary ScaledObject and pauses the target's; exercised by the E2E KEDA scenario (S29), whose CRD this cluster does not have";

    /// <summary>Grants the scenarios below do not use, each with the reason it stays in the chart.</summary>
    private static readonly Dictionary<string, string> NotExercised = new(StringComparer.Ordinal)
    {
        ["ClusterRole apps/daemonsets create"] = "DaemonSet targets (the -primary copy) are supported but not rolled out here",
        ["ClusterRole apps/daemonsets update"] = "DaemonSet targets (promotion, scaling by node selector) are supported but not rolled out here",
        ["ClusterRole core/services update"] = "a changed spec.service (ports, labels) updates the generated Services; the scenarios keep it fixed",
        ["ClusterRole networking.istio.io/destinationrules update"] = "a changed spec.service.trafficPolicy updates the DestinationRules; the scenarios keep it fixed",
        ["ClusterRole projectcontour.io/httpproxies list"] = ContourReason,
        ["ClusterRole projectcontour.io/httpproxies watch"] = ContourReason,
        ["ClusterRole projectcontour.io/httpproxies create"] = ContourReason,
        ["ClusterRole projectcontour.io/httpproxies update"] = ContourReason,
        ["ClusterRole gloo.solo.io/upstreams list"] = GlooReason,
        ["ClusterRole gloo.solo.io/upstreams watch"] = GlooReason,
        ["ClusterRole gloo.solo.io/upstreams create"] = GlooReason,
        ["ClusterRole gloo.solo.io/upstreams update"] = GlooReason,
        ["ClusterRole gateway.solo.io/routetables list"] = GlooReason,
        ["ClusterRole gateway.solo.io/routetables watch"] = GlooReason,
        ["ClusterRole gateway.solo.io/routetables create"] = GlooReason,
        ["ClusterRole gateway.solo.io/routetables update"] = GlooReason,
        ["ClusterRole networking.k8s.io/ingresses list"] = IngressReason,
        ["ClusterRole networking.k8s.io/ingresses watch"] = IngressReason,
        ["ClusterRole networking.k8s.io/ingresses create"] = IngressReason,
        ["ClusterRole networking.k8s.io/ingresses update"] = IngressReason,
        ["ClusterRole networking.k8s.io/ingresses delete"] = IngressReason,
        ["ClusterRole metrics.keptn.sh/keptnmetrics get"] = KeptnReason,
        ["ClusterRole metrics.keptn.sh/analyses create"] = KeptnReason,
        ["ClusterRole metrics.keptn.sh/analyses get"] = KeptnReason,
        ["ClusterRole metrics.keptn.sh/analyses delete"] = KeptnReason,
        ["ClusterRole split.smi-spec.io/trafficsplits list"] = SmiReason,
        ["ClusterRole split.smi-spec.io/trafficsplits watch"] = SmiReason,
        ["ClusterRole split.smi-spec.io/trafficsplits create"] = SmiReason,
        ["ClusterRole split.smi-spec.io/trafficsplits update"] = SmiReason,
        ["ClusterRole kuma.io/trafficroutes list"] = KumaReason,
        ["ClusterRole kuma.io/trafficroutes watch"] = KumaReason,
        ["ClusterRole kuma.io/trafficroutes create"] = KumaReason,
        ["ClusterRole kuma.io/trafficroutes update"] = KumaReason,
        ["ClusterRole traefik.io/traefikservices list"] = TraefikReason,
        ["ClusterRole traefik.io/traefikservices watch"] = TraefikReason,
        ["ClusterRole traefik.io/traefikservices create"] = TraefikReason,
        ["ClusterRole traefik.io/traefikservices update"] = TraefikReason,
        ["ClusterRole apisix.apache.org/apisixroutes list"] = ApisixReason,
        ["ClusterRole apisix.apache.org/apisixroutes watch"] = ApisixReason,
        ["ClusterRole apisix.apache.org/apisixroutes create"] = ApisixReason,
        ["ClusterRole apisix.apache.org/apisixroutes update"] = ApisixReason,
        ["ClusterRole gateway.networking.k8s.io/httproutes list"] = GatewayApiReason,
        ["ClusterRole gateway.networking.k8s.io/httproutes watch"] = GatewayApiReason,
        ["ClusterRole gateway.networking.k8s.io/httproutes create"] = GatewayApiReason,
        ["ClusterRole gateway.networking.k8s.io/httproutes update"] = GatewayApiReason,
        ["ClusterRole appmesh.k8s.aws/virtualnodes list"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualnodes watch"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualrouters list"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualrouters watch"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualservices list"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualservices watch"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualnodes create"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualnodes update"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualrouters create"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualrouters update"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualservices create"] = AppMeshReason,
        ["ClusterRole appmesh.k8s.aws/virtualservices update"] = AppMeshReason,
        ["ClusterRole serving.knative.dev/services list"] = KnativeReason,
        ["ClusterRole serving.knative.dev/services watch"] = KnativeReason,
        ["ClusterRole serving.knative.dev/services patch"] = KnativeReason,
        ["ClusterRole serving.knative.dev/revisions list"] = KnativeReason,
        ["ClusterRole serving.knative.dev/revisions watch"] = KnativeReason,
        ["ClusterRole keda.sh/scaledobjects list"] = KedaReason,
        ["ClusterRole keda.sh/scaledobjects watch"] = KedaReason,
        ["ClusterRole keda.sh/scaledobjects create"] = KedaReason,
        ["ClusterRole keda.sh/scaledobjects update"] = KedaReason,
        ["ClusterRole keda.sh/scaledobjects patch"] = KedaReason,
        ["ClusterRole flagger.app/canaries/finalizers update"] =
            "checked by the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) when the operator sets blockOwnerDeletion " +
            "on owner references to a Canary; the simulator (like most clusters) does not run that plugin",
    };

    private static string IstioCanary(string name, string hookUrl, int threshold, bool revertOnDeletion = false) => $"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          revertOnDeletion: {(revertOnDeletion ? "true" : "false")}
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: {name}
          progressDeadlineSeconds: 60
          service:
            port: 9898
          analysis:
            interval: 1s
            threshold: {threshold}
            maxWeight: 20
            stepWeight: 10
            webhooks:
              - name: acceptance
                type: rollout
                url: {hookUrl}
                timeout: 5s
        """;

    private const string BlueGreenWithHpaAndConfig = $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: bluegreen-config
          namespace: {Ns}
        data:
          color: blue
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: bluegreen-secret
          namespace: {Ns}
        type: Opaque
        stringData:
          password: not-a-real-password
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: bluegreen
          namespace: {Ns}
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: bluegreen
          minReplicas: 1
          maxReplicas: 3
          metrics:
            - type: Resource
              resource:
                name: cpu
                target:
                  type: Utilization
                  averageUtilization: 80
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: bluegreen
          namespace: {Ns}
        spec:
          provider: kubernetes
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: bluegreen
          autoscalerRef:
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            name: bluegreen
          progressDeadlineSeconds: 60
          service:
            port: 9898
          analysis:
            interval: 1s
            threshold: 2
            iterations: 2
        """;

    [Fact]
    public async Task Every_request_of_promotion_rollback_blue_green_deletion_and_leader_election_is_allowed_and_every_grant_is_used()
    {
        var rendered = await HelmTool.TemplateAsync("charts/flagger", "flagger", ReleaseNamespace, "--set", "leaderElection.enabled=true");
        var policy = RbacPolicy.From(rendered);
        using var okHook = new LocalServer();
        using var failingHook = new LocalServer(_ => (500, "no"));
        await using var harness = await OperatorHarness.StartAsync(installCrds: true, enforceRbac: true, Ns, ReleaseNamespace);
        var account = rendered.Single("ServiceAccount");
        foreach (var kind in new[] { "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding" })
        {
            foreach (var obj in rendered.OfKind(kind))
            {
                harness.Apply(obj.ToJsonString());
            }
        }

        var serviceAccountKubeconfig = await harness.Cluster.WriteKubeconfigAsync(
            harness.Cluster.ServiceAccountToken(ReleaseNamespace, (string)account["metadata"]!["name"]!), "flagger-sa.kubeconfig", TestContext.Current.CancellationToken);
        harness.Apply(OperatorHarness.Deployment(Ns, "promote", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply(OperatorHarness.Deployment(Ns, "rollback", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply(OperatorHarness.Deployment(Ns, "revert", "ghcr.io/stefanprodan/podinfo:6.0.0", replicas: 2));
        harness.Apply(OperatorHarness.Deployment(Ns, "bluegreen", "ghcr.io/stefanprodan/podinfo:6.0.0", configMap: "bluegreen-config", secret: "bluegreen-secret"));
        harness.Apply(BlueGreenWithHpaAndConfig);
        harness.Apply(IstioCanary("promote", okHook.Url, threshold: 2));
        harness.Apply(IstioCanary("rollback", failingHook.Url, threshold: 1));
        harness.Apply(IstioCanary("revert", okHook.Url, threshold: 2, revertOnDeletion: true));

        await harness.StartOperatorAsync([.. harness.TestFlags(kubeconfig: serviceAccountKubeconfig), "-mesh-provider=istio",
            "-enable-leader-election=true", $"-leader-election-namespace={ReleaseNamespace}"]);
        foreach (var name in new[] { "promote", "rollback", "revert", "bluegreen" })
        {
            await harness.WaitForPhaseAsync(Ns, name, CanaryPhase.Initialized);
        }

        await harness.SetImageAsync(Ns, "promote", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.SetImageAsync(Ns, "rollback", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.SetImageAsync(Ns, "bluegreen", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"color":"green"}}""", V1Patch.PatchType.MergePatch),
            "bluegreen-config", Ns, cancellationToken: TestContext.Current.CancellationToken);
        await harness.Client.CoreV1.PatchNamespacedSecretAsync(new V1Patch("""{"stringData":{"password":"another-password"}}""", V1Patch.PatchType.MergePatch),
            "bluegreen-secret", Ns, cancellationToken: TestContext.Current.CancellationToken);
        await harness.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(new V1Patch("""{"spec":{"maxReplicas":4}}""", V1Patch.PatchType.MergePatch),
            "bluegreen", Ns, cancellationToken: TestContext.Current.CancellationToken);
        await new GenericClient(harness.Client, FlaggerApi.Group, FlaggerApi.Version, Canary.KubePlural, disposeClient: false)
            .DeleteNamespacedAsync<Canary>(Ns, "revert", TestContext.Current.CancellationToken);

        await harness.WaitForPhaseAsync(Ns, "promote", CanaryPhase.Succeeded);
        await harness.WaitForPhaseAsync(Ns, "rollback", CanaryPhase.Failed);
        await harness.WaitForPhaseAsync(Ns, "bluegreen", CanaryPhase.Succeeded);
        await harness.WaitForDeletionAsync(Ns, "revert");
        await harness.StopOperatorAsync();

        // the scenarios did what they claim: config tracked and promoted, the reverted target scaled back up
        var primaryConfig = await harness.Client.CoreV1.ReadNamespacedConfigMapAsync("bluegreen-config-primary", Ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("green", primaryConfig.Data["color"]);
        var primarySecret = await harness.Client.CoreV1.ReadNamespacedSecretAsync("bluegreen-secret-primary", Ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("another-password", System.Text.Encoding.UTF8.GetString(primarySecret.Data["password"]));
        var primaryHpa = await harness.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("bluegreen-primary", Ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4, primaryHpa.Spec.MaxReplicas);
        var reverted = await harness.Client.AppsV1.ReadNamespacedDeploymentAsync("revert", Ns, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, reverted.Spec.Replicas);
        var lease = await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync("flagger-leader-election", ReleaseNamespace, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("flagger-leader-election", lease.Metadata.Name);

        // every API request came from the operator or from this test: none escapes the check under another user agent
        Assert.All(harness.Cluster.Requests.Requests().Keys,
            r => Assert.True(
                r.UserAgent == OperatorHarness.TestUserAgent || r.UserAgent.StartsWith(OperatorHarness.UserAgent + "/", StringComparison.Ordinal),
                $"request under another user agent: {r.UserAgent}"));
        var requests = harness.Cluster.Requests.Requests(OperatorHarness.UserAgent);
        Assert.NotEmpty(requests);
        var denied = requests.Keys.Where(r => !policy.Allows(r)).Select(RbacPolicy.Describe).Order(StringComparer.Ordinal).ToList();
        Assert.True(denied.Count == 0, "requests the rendered RBAC does not allow:\n" + string.Join('\n', denied));
        Assert.Contains(requests.Keys, r => r.NonResourcePath == "/version");
        var unused = policy.Unused();
        Assert.True(unused.SequenceEqual(NotExercised.Keys.Order(StringComparer.Ordinal)),
            "grants not used by the scenarios (remove them from charts/flagger/templates/rbac.yaml, or list them in NotExercised with a reason):\n"
            + string.Join('\n', unused.Except(NotExercised.Keys))
            + "\nlisted in NotExercised but used:\n" + string.Join('\n', NotExercised.Keys.Except(unused)));
    }
}
