using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;
using static Flagger.Modules.Tests.Rollout.StateMachine.Fx;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

/// <summary>
/// One row per transition of inventory §2.2–2.9: a canary + status + observation + gate outcomes in, and the
/// decision's status, actions, events and alerts checked. Rows are named by behaviour.
/// </summary>
public sealed class CanaryStateMachineTransitionTests
{
    private const string NameNs = "podinfo-canary.test";
    private const string TargetNs = "podinfo.test";

    private sealed record Row(Func<Decision> Decide, Action<Decision> Check);

    private static readonly Dictionary<string, Row> Rows = new()
    {
        // ---- deletion and finalizer (inventory §2.9) ----
        ["deletion without revertOnDeletion leaves cleanup to garbage collection"] = new(
            () => Decide(Canary(status: Settled()), Obs(Rev1) with { DeletionRequested = true }),
            d => Assert.Empty(d.Actions)),
        ["deletion with revertOnDeletion sets Terminating, records the event and reverts the target"] = new(
            () => Decide(Canary(spec: s => s.RevertOnDeletion = true, status: Settled()),
                Obs(Rev1, canary: WorkloadObservation.ReadyAtZero) with { DeletionRequested = true, HasFinalizer = true }),
            d =>
            {
                Assert.Equal(CanaryPhase.Terminating, d.S().Phase());
                Assert.Equal(["Terminating canary " + NameNs], d.EventTexts());
                Assert.Equal([typeof(WriteStatus), typeof(RevertTarget)], d.Effects().Select(a => a.GetType()));
                Assert.Equal("New Deployment detected, starting initialization.", d.S().Conditions![0].Message);
                Assert.Equal("Unknown", d.S().Conditions![0].Status);
            }),
        ["terminating canary with a ready reverted target reverts routing and removes the finalizer"] = new(
            () => Decide(Canary(spec: s => s.RevertOnDeletion = true, status: Status(CanaryPhase.Terminating)),
                Obs(Rev1) with { DeletionRequested = true, HasFinalizer = true }),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Equal([new RevertTarget(), new RevertServices(), new RevertMeshRoutes(), new RemoveFinalizer()], d.Effects());
                Assert.Equal(["Terminated canary " + NameNs], d.EventTexts());
            }),
        ["terminating canary whose target is not ready yet keeps waiting"] = new(
            () => Decide(Canary(spec: s => s.RevertOnDeletion = true, status: Status(CanaryPhase.Terminating)),
                Obs(Rev1, canary: new WorkloadObservation(ReadinessState.NotReady, "waiting")) with { DeletionRequested = true, HasFinalizer = true }),
            d => Assert.Equal([new RevertTarget()], d.Effects())),
        ["terminating canary with an autoscaler resumes the target scaler first"] = new(
            () => Decide(Canary(spec: s => { s.RevertOnDeletion = true; s.AutoscalerRef = new AutoscalerReference { Kind = "HorizontalPodAutoscaler", Name = "podinfo" }; }, status: Settled()),
                Obs(Rev1) with { DeletionRequested = true, HasFinalizer = true }),
            d => Assert.Equal([typeof(WriteStatus), typeof(ResumeTargetScaler), typeof(RevertTarget)], d.Effects().Select(a => a.GetType()))),
        ["revertOnDeletion adds the finalizer"] = new(
            () => Decide(Canary(spec: s => s.RevertOnDeletion = true, status: Settled()), Obs(Rev1)),
            d => Assert.Equal(new AddFinalizer(), d.Actions[0])),
        ["revertOnDeletion turned off removes the finalizer"] = new(
            () => Decide(Canary(status: Settled()), Obs(Rev1) with { HasFinalizer = true }),
            d => Assert.Equal(new RemoveFinalizer(), d.Actions[0])),

        // ---- blocking errors (the spec is validated by CanaryValidator before a tick) ----
        ["a blocking observation error is emitted as a Warning and stops the tick"] = new(
            () => Decide(Canary(status: Settled()), Obs(Rev2) with { BlockingError = "deployment podinfo.test get query error: not found" }),
            d => Assert.Equal([new EmitEvent(EventType.Warning, "deployment podinfo.test get query error: not found")], d.Actions)),

        ["an unknown target revision stops the tick instead of starting a run"] = new(
            () => Decide(Canary(status: Settled()), Obs("")),
            d => Assert.Equal([new EmitEvent(EventType.Warning, "Deployment podinfo.test revision could not be computed")], d.Actions)),

        // ---- suspend ----
        ["suspended canary only records the skipping event"] = new(
            () => Decide(Canary(spec: s => s.Suspend = true, status: Status(CanaryPhase.Progressing, weight: 20)), Obs(Rev2, Routes(20))),
            d => Assert.Equal([new EmitEvent(EventType.Normal, "skipping canary run as object is suspended")], d.Actions)),

        // ---- initialization (inventory §2.2 steps 5-13) ----
        ["a new canary becomes Initializing and waits for the primary with a Normal event, not a Warning"] = new(
            () => Decide(Canary(), Obs(Rev1, primary: new WorkloadObservation(ReadinessState.NotReady, "deployment podinfo-primary.test get query error: deployments.apps \"podinfo-primary\" not found"))),
            d =>
            {
                Assert.Equal(CanaryPhase.Initializing, d.S().Phase());
                Assert.Equal("New Deployment detected, starting initialization.", d.S().Conditions![0].Message);
                Assert.Equal([new EnsureCanaryAndPrimaryServices(), new CheckMetricProviders(), new EnsurePrimaryWorkload(), new WriteStatus(d.S())], d.Effects());
                Assert.Empty(d.Warnings());
                Assert.Contains(new EmitEvent(EventType.Normal, "podinfo-primary.test not ready: waiting for rollout to finish"), d.Actions);
            }),
        ["an Initializing canary whose primary is still rolling out waits with a Normal event"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Initializing, applied: null, promoted: null)),
                Obs(Rev1, primary: new WorkloadObservation(ReadinessState.NotReady, "podinfo-primary.test not ready: waiting for rollout to finish: 0 of 1 updated replicas are available"))),
            d =>
            {
                Assert.Empty(d.Warnings());
                Assert.Contains(new EmitEvent(EventType.Normal, "podinfo-primary.test not ready: waiting for rollout to finish: 0 of 1 updated replicas are available"), d.Actions);
            }),
        ["an Initializing canary with a ready primary becomes Initialized"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Initializing, applied: null, promoted: null)),
                Obs(Rev1) with { TrackedConfigs = new Dictionary<string, string> { ["configmap/podinfo"] = "abc" } }),
            d =>
            {
                var s = d.Status!;
                Assert.Equal(CanaryPhase.Initialized, s.Phase());
                Assert.Equal((Rev1, Rev1), (s.LastAppliedSpec, s.LastPromotedSpec));
                Assert.Equal("abc", s.TrackedConfigs!["configmap/podinfo"]);
                Assert.Equal(("True", "Initialized", "Deployment initialization completed."), (s.Conditions![0].Status, s.Conditions[0].Reason, s.Conditions[0].Message));
                Assert.Equal(
                    [new EnsureCanaryAndPrimaryServices(), new CheckMetricProviders(), new EnsurePrimaryWorkload(), new EnsureApexService(),
                        new ScaleTargetToZero(), new EnsureMeshRoutes(), new WriteStatus(s)],
                    d.Effects());
                Assert.Equal(["Initialization done! " + NameNs], d.EventTexts());
                Assert.Equal([new SendAlert(AlertSeverity.Info, "New Deployment detected, initialization completed.", true)], d.Alerts);
            }),
        ["skipAnalysis initializes without waiting for the primary"] = new(
            () => Decide(Canary(spec: s => s.SkipAnalysis = true), Obs(Rev1, primary: new WorkloadObservation(ReadinessState.NotReady, "waiting"))),
            d =>
            {
                Assert.Equal(CanaryPhase.Initialized, d.S().Phase());
                Assert.DoesNotContain(new CheckMetricProviders(), d.Actions);
            }),
        ["a primary past its progress deadline during initialization rolls back"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Initializing, applied: null, promoted: null)),
                Obs(Rev1, primary: new WorkloadObservation(ReadinessState.DeadlineExceeded, "podinfo-primary.test progress deadline exceeded"))),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Contains("Canary failed! Scaling down " + NameNs, d.Warnings());
                Assert.Empty(d.RouteChanges());
                Assert.Contains(new ScaleTargetToZero(), d.Actions);
            }),
        ["initialization with an autoscaler creates the primary scaler and pauses the target scaler"] = new(
            () => Decide(Canary(spec: s => s.AutoscalerRef = new AutoscalerReference { Kind = "HorizontalPodAutoscaler", Name = "podinfo" }), Obs(Rev1)),
            d => Assert.Equal(
                [new EnsureCanaryAndPrimaryServices(), new CheckMetricProviders(), new EnsurePrimaryWorkload(), new EnsurePrimaryScaler(),
                    new PauseTargetScaler(), new EnsureApexService(), new ScaleTargetToZero(), new EnsureMeshRoutes(), new WriteStatus(d.S())],
                d.Effects())),
        ["app mesh reconciles the mesh before creating the primary"] = new(
            () => Decide(Canary(spec: s => s.Provider = "appmesh"), Obs(Rev1)),
            d => Assert.Equal(
                [new EnsureCanaryAndPrimaryServices(), new CheckMetricProviders(), new EnsureMeshRoutes(), new EnsurePrimaryWorkload(),
                    new EnsureApexService(), new ScaleTargetToZero(), new WriteStatus(d.S())],
                d.Effects())),

        // ---- new revision detection (inventory §2.5, ARCHITECTURE §9) ----
        ["a settled canary with an unchanged revision writes nothing"] = new(
            () => Decide(Canary(status: Settled()), Obs(Rev1)),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Contains(new RecordStatusMetric(CanaryPhase.Succeeded), d.Actions);
                Assert.Empty(d.Events);
            }),
        ["a manual rollback to the promoted revision is a no-op"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Succeeded, applied: Rev2, promoted: Rev1)), Obs(Rev1)),
            d => Assert.Null(d.Status)),
        ["a tracked config change starts a run"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Succeeded, applied: Rev1, promoted: Rev1, configs: new() { ["configmap/podinfo"] = "old" })),
                Obs(Rev1) with { TrackedConfigs = new Dictionary<string, string> { ["configmap/podinfo"] = "new" } }),
            d =>
            {
                Assert.Equal(CanaryPhase.Progressing, d.S().Phase());
                Assert.Equal("new", d.S().TrackedConfigs!["configmap/podinfo"]);
            }),
        ["a new revision is approved, scales the canary up and becomes Progressing"] = new(
            () => Decide(Canary(status: Settled()), Obs(Rev2, canary: WorkloadObservation.ReadyAtZero)),
            d =>
            {
                var s = d.Status!;
                Assert.Equal(CanaryPhase.Progressing, s.Phase());
                Assert.Equal((0, 0, 0, Rev2, Rev1), (s.CanaryWeight, s.Iterations, s.FailedChecks, s.LastAppliedSpec, s.LastPromotedSpec));
                Assert.Equal(("Unknown", "Progressing", "New revision detected, progressing canary analysis."), (s.Conditions![0].Status, s.Conditions[0].Reason, s.Conditions[0].Message));
                Assert.Equal(["New revision detected! Scaling up " + TargetNs], d.EventTexts());
                Assert.Equal([new SendAlert(AlertSeverity.Info, "New revision detected, progressing canary analysis.", true)], d.Alerts);
                Assert.Equal([new ScaleTargetUp(), new WriteStatus(s)], d.Effects().SkipWhile(a => a is not ScaleTargetUp));
                Assert.DoesNotContain(d.Actions, a => a is SetRoutes);
            }),
        ["a Failed canary with a new revision starts a run and resets failed checks"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Failed, failedChecks: 3, applied: Rev2, promoted: Rev1)), Obs(Rev3)),
            d => Assert.Equal((CanaryPhase.Progressing, 0, Rev3), (d.S().Phase(), d.S().FailedChecks, d.S().LastAppliedSpec))),
        ["a Failed canary with the failed revision stays Failed"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Failed, applied: Rev2, promoted: Rev1)), Obs(Rev2)),
            d => Assert.Null(d.Status)),
        ["a Failed canary reverted to the promoted revision stays Failed and remembers it as applied (upstream shouldAdvance)"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Failed, applied: Rev2, promoted: Rev1)), Obs(Rev1)),
            d =>
            {
                Assert.Equal((CanaryPhase.Failed, Rev1, Rev1), (d.S().Phase(), d.S().LastAppliedSpec, d.S().LastPromotedSpec));
                Assert.Empty(d.Events);
            }),
        ["a Failed canary reverted to the primary then given the failed revision again starts a run"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Failed, applied: Rev1, promoted: Rev1)), Obs(Rev2, canary: WorkloadObservation.ReadyAtZero)),
            d => Assert.Equal((CanaryPhase.Progressing, Rev2), (d.S().Phase(), d.S().LastAppliedSpec))),
        ["an upstream-format lastAppliedSpec is adopted once without starting a run"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Succeeded, applied: "bcdf24567", promoted: "bcdf24567")), Obs(Rev2, canary: WorkloadObservation.ReadyAtZero)),
            d =>
            {
                Assert.Equal((CanaryPhase.Succeeded, Rev2, Rev2), (d.S().Phase(), d.S().LastAppliedSpec, d.S().LastPromotedSpec));
                Assert.DoesNotContain(new ScaleTargetUp(), d.Actions);
                Assert.Empty(d.Events);
            }),
        ["an upstream-format lastAppliedSpec during a run is adopted without restarting the analysis"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 20, applied: "zz9xk4", promoted: "bcdf")), Obs(Rev2, Routes(20))),
            d =>
            {
                Assert.Equal((CanaryPhase.Progressing, Rev2, 30), (d.S().Phase(), d.S().LastAppliedSpec, d.S().CanaryWeight));
                Assert.Equal([new SetRoutes(70, 30, false)], d.RouteChanges());
            }),

        // ---- confirm-rollout / Waiting (inventory §5.1) ----
        ["a failing confirm-rollout gate moves to Waiting with a warning and an alert"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("gate", "confirm-rollout")], status: Settled()), Obs(Rev2, canary: WorkloadObservation.ReadyAtZero),
                g => Fail("gate")),
            d =>
            {
                Assert.Equal((CanaryPhase.Waiting, "Waiting for approval.", Rev1), (d.S().Phase(), d.S().Conditions![0].Message, d.S().LastAppliedSpec));
                Assert.Equal(["Halt " + NameNs + " advancement waiting for approval gate"], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Warn, "Canary is waiting for approval.", false)], d.Alerts);
                Assert.DoesNotContain(new ScaleTargetUp(), d.Actions);
            }),
        ["a still failing confirm-rollout gate while Waiting changes nothing"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("gate", "confirm-rollout")], status: Status(CanaryPhase.Waiting, applied: Rev1)), Obs(Rev2),
                g => Fail("gate")),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Empty(d.Events);
            }),
        ["a muted confirm-rollout gate sends no alert"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("gate", "confirm-rollout", mute: true)], status: Settled()), Obs(Rev2), g => Fail("gate")),
            d => Assert.Empty(d.Alerts)),
        ["an approved Waiting canary starts Progressing"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("gate", "confirm-rollout")], status: Status(CanaryPhase.Waiting, applied: Rev1)), Obs(Rev2),
                g => Pass("gate")),
            d =>
            {
                Assert.Equal((CanaryPhase.Progressing, Rev2), (d.S().Phase(), d.S().LastAppliedSpec));
                Assert.Equal(["Confirm-rollout check gate passed", "New revision detected! Scaling up " + TargetNs], d.EventTexts());
            }),

        // ---- primary readiness and routes during a run ----
        ["a primary still rolling out during analysis waits with its message"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2, Routes(10), primary: new WorkloadObservation(ReadinessState.NotReady, "podinfo-primary.test not ready: waiting for rollout to finish"))),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Equal(["podinfo-primary.test not ready: waiting for rollout to finish"], d.Warnings());
                Assert.Empty(d.RouteChanges());
            }),
        ["a primary past its deadline during analysis rolls back"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2, Routes(10), primary: new WorkloadObservation(ReadinessState.DeadlineExceeded, "primary deadline"))),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
            }),
        ["a primary past its deadline during Promoting fails the promotion and routes all traffic to the canary"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Promoting, weight: 50)), Obs(Rev2, Routes(50), primary: new WorkloadObservation(ReadinessState.DeadlineExceeded, "podinfo-primary.test progress deadline exceeded"))),
            d =>
            {
                Assert.Equal((CanaryPhase.Failed, 100), (d.S().Phase(), d.S().CanaryWeight));
                Assert.Equal([new SetRoutes(0, 100, false)], d.RouteChanges());
                Assert.DoesNotContain(new ScaleTargetToZero(), d.Actions);
                Assert.Contains("Promotion of " + TargetNs + " failed, primary not ready: podinfo-primary.test progress deadline exceeded", d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Error, "Promotion failed, primary not ready: podinfo-primary.test progress deadline exceeded", false)], d.Alerts);
                Assert.Equal(new RunPostRolloutHooks(CanaryPhase.Failed), d.Actions.SkipWhile(a => a is not WriteStatus).OfType<RunPostRolloutHooks>().Single());
            }),
        ["a failed promotion with a canary that is not ready keeps traffic on the primary"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Finalising)), Obs(Rev2, Routes(0), primary: new WorkloadObservation(ReadinessState.DeadlineExceeded, "deadline"), canary: WorkloadObservation.ReadyAtZero)),
            d =>
            {
                Assert.Equal((CanaryPhase.Failed, 0), (d.S().Phase(), d.S().CanaryWeight));
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
            }),
        ["unreadable routes stop the tick with the router's error"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2) with { Routes = null, RoutesError = "VirtualService podinfo.test get query error" }),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Equal(["VirtualService podinfo.test get query error"], d.Warnings());
            }),

        // ---- new revision mid-analysis (inventory §2.2 step 18) ----
        ["a new revision during analysis restarts from weight zero"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 30, failedChecks: 2)), Obs(Rev3, Routes(30))),
            d =>
            {
                Assert.Equal((CanaryPhase.Progressing, 0, 0, 0, Rev3), (d.S().Phase(), d.S().CanaryWeight, d.S().FailedChecks, d.S().Iterations, d.S().LastAppliedSpec));
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
                Assert.Equal(["New revision detected! Restarting analysis for " + TargetNs], d.EventTexts());
            }),
        ["a new revision while WaitingPromotion restarts the analysis"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.WaitingPromotion, iterations: -1)), Obs(Rev3, Routes(50))),
            d => Assert.Equal((CanaryPhase.Progressing, Rev3), (d.S().Phase(), d.S().LastAppliedSpec))),
        ["a new revision while Promoting is not detected until the run ends"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Promoting, weight: 50)), Obs(Rev3, Routes(50))),
            d => Assert.Equal((CanaryPhase.Finalising, Rev2), (d.S().Phase(), d.S().LastAppliedSpec))),

        // ---- canary readiness ----
        ["a canary still rolling out waits"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing)), Obs(Rev2, canary: new WorkloadObservation(ReadinessState.NotReady, "podinfo.test not ready: waiting for rollout to finish"))),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Equal(["podinfo.test not ready: waiting for rollout to finish"], d.Warnings());
            }),
        ["a canary past its progress deadline rolls back with the progress deadline alert"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2, Routes(10), canary: new WorkloadObservation(ReadinessState.DeadlineExceeded, "podinfo.test progress deadline exceeded"))),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Equal(["Rolling back " + NameNs + " progress deadline exceeded podinfo.test progress deadline exceeded", "Canary failed! Scaling down " + NameNs], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Error, "Progress deadline exceeded podinfo.test progress deadline exceeded", false)], d.Alerts);
            }),

        // ---- skipAnalysis ----
        ["skipAnalysis promotes at once and succeeds"] = new(
            () => Decide(Canary(spec: s => s.SkipAnalysis = true, status: Status(CanaryPhase.Progressing)), Obs(Rev2)),
            d =>
            {
                var s = d.Status!;
                Assert.Equal((CanaryPhase.Succeeded, Rev2), (s.Phase(), s.LastPromotedSpec));
                Assert.Equal(
                    [new SetRoutes(100, 0, false), new PromoteTarget(Rev2), new ScaleTargetToZero(), new WriteStatus(s), new RunPostRolloutHooks(CanaryPhase.Succeeded)],
                    d.Effects().SkipWhile(a => a is not SetRoutes));
                Assert.Equal(["Copying " + TargetNs + " template spec to podinfo-primary.test", "Promotion completed! Canary analysis was skipped for " + TargetNs], d.EventTexts());
                Assert.Equal([new SendAlert(AlertSeverity.Info, "Canary analysis was skipped, promotion finished.", false)], d.Alerts);
                Assert.Contains(new RecordRunOutcome(true, "canary", true), d.Actions);
            }),

        // ---- rollback webhooks ----
        ["a rollback webhook signal rolls back"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("rb", "rollback")], status: Status(CanaryPhase.Progressing, weight: 20)), Obs(Rev2, Routes(20)), g => Pass("rb")),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Equal(["Rollback check rb passed", "Rolling back " + NameNs + " manual webhook invoked", "Canary failed! Scaling down " + NameNs], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Warn, "Rolling back manual webhook invoked", false)], d.Alerts);
            }),
        ["a rollback webhook not signaling records a Normal event and the analysis continues"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("rb", "rollback")], status: Status(CanaryPhase.Progressing, weight: 20)), Obs(Rev2, Routes(20)), g => g == Gate.Rollback ? Fail("rb") : DefaultPass(g)),
            d =>
            {
                Assert.Equal(new EmitEvent(EventType.Normal, "Rollback hook rb not signaling a rollback"), d.Events.First());
                Assert.Equal(30, d.S().CanaryWeight);
            }),

        // ---- Promoting / Finalising (inventory §2.4) ----
        ["Promoting routes all traffic to the primary and becomes Finalising"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Promoting, weight: 50)), Obs(Rev2, Routes(50))),
            d =>
            {
                Assert.Equal((CanaryPhase.Finalising, 0, "Canary analysis completed, routing all traffic to primary."), (d.S().Phase(), d.S().CanaryWeight, d.S().Conditions![0].Message));
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
                Assert.Equal(["Routing all traffic to primary"], d.EventTexts());
            }),
        ["Promoting with stepWeightPromotion shifts the primary weight one step"] = new(
            () => Decide(Canary(a => a.StepWeightPromotion = 20, status: Status(CanaryPhase.Promoting, weight: 50)), Obs(Rev2, Routes(50))),
            d =>
            {
                Assert.Equal((CanaryPhase.Promoting, 30), (d.S().Phase(), d.S().CanaryWeight));
                Assert.Equal([new SetRoutes(70, 30, false)], d.RouteChanges());
                Assert.Equal(["Advance " + NameNs + " primary weight 70"], d.EventTexts());
            }),
        ["the promotion step reaching 100 becomes Finalising"] = new(
            () => Decide(Canary(a => a.StepWeightPromotion = 20, status: Status(CanaryPhase.Promoting, weight: 10)), Obs(Rev2, Routes(10))),
            d =>
            {
                Assert.Equal(CanaryPhase.Finalising, d.S().Phase());
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
            }),
        ["Promoting with the kubernetes provider becomes Finalising without routing"] = new(
            () => Decide(Canary(a => { a.Iterations = 10; a.StepWeight = null; a.MaxWeight = null; }, s => s.Provider = "kubernetes", Status(CanaryPhase.Promoting)), Obs(Rev2, Routes(100))),
            d =>
            {
                Assert.Equal(CanaryPhase.Finalising, d.S().Phase());
                Assert.Empty(d.RouteChanges());
            }),
        ["Promoting with an autoscaler syncs the primary scaler before shifting traffic"] = new(
            () => Decide(Canary(spec: s => s.AutoscalerRef = new AutoscalerReference { Kind = "HorizontalPodAutoscaler", Name = "podinfo" }, status: Status(CanaryPhase.Promoting, weight: 50)), Obs(Rev2, Routes(50))),
            d => Assert.Equal([new SyncPrimaryScaler(), new SetRoutes(100, 0, false)], d.Effects().Where(a => a is SyncPrimaryScaler or SetRoutes))),
        ["Finalising scales the canary to zero and succeeds"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Finalising)), Obs(Rev2)),
            d =>
            {
                var s = d.Status!;
                Assert.Equal((CanaryPhase.Succeeded, Rev2, "True", "Canary analysis completed successfully, promotion finished."), (s.Phase(), s.LastPromotedSpec, s.Conditions![0].Status, s.Conditions[0].Message));
                Assert.Equal([new ScaleTargetToZero(), new WriteStatus(s), new RunPostRolloutHooks(CanaryPhase.Succeeded)], d.Effects().SkipWhile(a => a is not ScaleTargetToZero));
                Assert.Equal(["Promotion completed! Scaling down " + TargetNs], d.EventTexts());
                Assert.Equal([new SendAlert(AlertSeverity.Info, "Canary analysis completed successfully, promotion finished.", false)], d.Alerts);
                Assert.Contains(new RecordRunOutcome(true, "canary", false), d.Actions);
            }),

        // ---- failed checks (inventory §2.2 step 24, ARCHITECTURE §9) ----
        ["a status already at the threshold rolls back before analysing"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 20, failedChecks: 5)), Obs(Rev2, Routes(20))),
            d =>
            {
                Assert.Equal((CanaryPhase.Failed, 0, 0), (d.S().Phase(), d.S().FailedChecks, d.S().CanaryWeight));
                Assert.Equal(["Rolling back " + NameNs + " failed checks threshold reached 5", "Canary failed! Scaling down " + NameNs], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Error, "Failed checks threshold reached 5", false)], d.Alerts);
                Assert.Equal(("False", "Canary analysis failed, Deployment scaled to zero."), (d.S().Conditions![0].Status, d.S().Conditions![0].Message));
            }),
        ["a failed metric check below the threshold counts and holds the weight"] = new(
            () => Decide(Canary(WithMetrics, status: Status(CanaryPhase.Progressing, weight: 20, failedChecks: 2)), Obs(Rev2, Routes(20)),
                g => g == Gate.Metrics ? MetricsOutcome.Fail("Halt podinfo-canary.test advancement request-success-rate 55.00 < 99") : DefaultPass(g)),
            d =>
            {
                Assert.Equal((CanaryPhase.Progressing, 3, 20), (d.S().Phase(), d.S().FailedChecks, d.S().CanaryWeight));
                Assert.Equal(["Halt podinfo-canary.test advancement request-success-rate 55.00 < 99"], d.Warnings());
                Assert.Empty(d.RouteChanges());
                Assert.True(d.ObserveDuration);
            }),
        ["a failed check reaching the threshold rolls back on the same tick"] = new(
            () => Decide(Canary(WithMetrics, status: Status(CanaryPhase.Progressing, weight: 20, failedChecks: 4)), Obs(Rev2, Routes(20)),
                g => g == Gate.Metrics ? MetricsOutcome.Fail("metric failed") : DefaultPass(g)),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Contains("Rolling back " + NameNs + " failed checks threshold reached 5", d.Warnings());
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
                Assert.Equal(
                    [new SetRoutes(100, 0, false), new ScaleTargetToZero(), new WriteStatus(d.S()), new RunPostRolloutHooks(CanaryPhase.Failed)],
                    d.Effects().SkipWhile(a => a is not SetRoutes));
            }),

        // ---- pre-rollout and rollout hooks, metrics ----
        ["the first analysis tick runs pre-rollout hooks and takes the first step"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("pre", "pre-rollout")], status: Status(CanaryPhase.Progressing)), Obs(Rev2), g => Pass("pre")),
            d =>
            {
                Assert.Equal(["Starting canary analysis for " + TargetNs, "Pre-rollout check pre passed", "Advance " + NameNs + " canary weight 10"], d.EventTexts());
                Assert.Equal([new SetRoutes(90, 10, false)], d.RouteChanges());
            }),
        ["a failing pre-rollout hook counts a failed check and holds weight zero"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("pre", "pre-rollout")], status: Status(CanaryPhase.Progressing)), Obs(Rev2), g => Fail("pre", "boom")),
            d =>
            {
                Assert.Equal((1, 0), (d.S().FailedChecks, d.S().CanaryWeight));
                Assert.Equal(["Halt " + NameNs + " advancement pre-rollout check pre failed boom"], d.Warnings());
                Assert.Empty(d.RouteChanges());
            }),
        ["a failing rollout webhook counts a failed check and skips the metrics"] = new(
            () => Decide(Canary(a => { a.Webhooks = [Hook("load", "")]; WithMetrics(a); }, status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2, Routes(10)),
                g => g == Gate.Metrics ? throw new InvalidOperationException("metrics must not run") : Fail("load", "boom")),
            d =>
            {
                Assert.Equal(1, d.S().FailedChecks);
                Assert.Equal(["Halt " + NameNs + " advancement external check load failed boom"], d.Warnings());
            }),

        // ---- canary strategy steps (inventory §2.3) ----
        ["stepWeight advances the canary weight"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 20)), Obs(Rev2, Routes(20))),
            d =>
            {
                Assert.Equal(30, d.S().CanaryWeight);
                Assert.Equal([new SetRoutes(70, 30, false)], d.RouteChanges());
                Assert.Equal(["Advance " + NameNs + " canary weight 30"], d.EventTexts());
            }),
        ["stepWeights advance to the next rung of the ladder"] = new(
            () => Decide(Canary(a => { a.StepWeight = null; a.MaxWeight = null; a.StepWeights = [1, 2, 10, 80]; }, status: Status(CanaryPhase.Progressing, weight: 2)), Obs(Rev2, Routes(2))),
            d => Assert.Equal([new SetRoutes(90, 10, false)], d.RouteChanges())),
        ["the last stepWeights rung is the max weight and promotes"] = new(
            () => Decide(Canary(a => { a.StepWeight = null; a.MaxWeight = null; a.StepWeights = [1, 2, 10, 80]; }, status: Status(CanaryPhase.Progressing, weight: 80)), Obs(Rev2, Routes(80))),
            d => Assert.Equal(CanaryPhase.Promoting, d.S().Phase())),
        ["maxWeight reached promotes the target into the primary"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("promo", "confirm-promotion")], status: Status(CanaryPhase.Progressing, weight: 50)), Obs(Rev2, Routes(50)), g => Pass("promo")),
            d =>
            {
                Assert.Equal((CanaryPhase.Promoting, 50, "Canary analysis completed, starting primary rolling update."), (d.S().Phase(), d.S().CanaryWeight, d.S().Conditions![0].Message));
                Assert.Contains(new PromoteTarget(Rev2), d.Actions);
                Assert.Equal(["Confirm-promotion check promo passed", "Copying " + TargetNs + " template spec to podinfo-primary.test"], d.EventTexts());
                Assert.Empty(d.RouteChanges());
            }),
        ["a failing confirm-traffic-increase gate halts without counting a failed check"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("ti", "confirm-traffic-increase")], status: Status(CanaryPhase.Progressing, weight: 20, failedChecks: 1)), Obs(Rev2, Routes(20)), g => g == Gate.ConfirmTrafficIncrease ? Fail("ti") : DefaultPass(g)),
            d =>
            {
                Assert.Null(d.Status);
                Assert.Equal(["Halt " + NameNs + " advancement waiting for traffic increase approval ti"], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Warn, "Canary traffic increase is waiting for approval.", false)], d.Alerts);
            }),
        ["confirm-traffic-increase also gates the promotion tick"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("ti", "confirm-traffic-increase")], status: Status(CanaryPhase.Progressing, weight: 50)), Obs(Rev2, Routes(50)), g => g == Gate.ConfirmTrafficIncrease ? Fail("ti") : DefaultPass(g)),
            d =>
            {
                Assert.Null(d.Status);
                Assert.DoesNotContain(d.Actions, a => a is PromoteTarget);
            }),
        ["a failing confirm-promotion gate moves to WaitingPromotion with weight 0 and iterations -1"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("promo", "confirm-promotion")], status: Status(CanaryPhase.Progressing, weight: 50)), Obs(Rev2, Routes(50)), g => g == Gate.ConfirmPromotion ? Fail("promo") : DefaultPass(g)),
            d =>
            {
                Assert.Equal((CanaryPhase.WaitingPromotion, 0, -1, "Waiting for approval."), (d.S().Phase(), d.S().CanaryWeight, d.S().Iterations, d.S().Conditions![0].Message));
                Assert.Equal(["Halt " + NameNs + " advancement waiting for promotion approval promo"], d.Warnings());
                Assert.Equal([new SendAlert(AlertSeverity.Warn, "Canary promotion is waiting for approval.", false)], d.Alerts);
                Assert.Empty(d.RouteChanges());
            }),
        ["a failing confirm-promotion gate while WaitingPromotion resets iterations to N-1"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; a.Webhooks = [Hook("promo", "confirm-promotion")]; }, status: Status(CanaryPhase.WaitingPromotion, iterations: 5)), Obs(Rev2, Routes(100)), g => g == Gate.ConfirmPromotion ? Fail("promo") : DefaultPass(g)),
            d =>
            {
                Assert.Equal((CanaryPhase.WaitingPromotion, 4), (d.S().Phase(), d.S().Iterations));
                Assert.Empty(d.Events);
            }),
        ["metrics keep running while WaitingPromotion and a failure reaching the threshold rolls back"] = new(
            () => Decide(Canary(a => { WithMetrics(a); a.Webhooks = [Hook("promo", "confirm-promotion")]; }, status: Status(CanaryPhase.WaitingPromotion, iterations: -1, failedChecks: 4)), Obs(Rev2, Routes(50)),
                g => g == Gate.Metrics ? MetricsOutcome.Fail("metric failed") : Fail("promo")),
            d =>
            {
                Assert.Equal(CanaryPhase.Failed, d.S().Phase());
                Assert.Equal([new SetRoutes(100, 0, false)], d.RouteChanges());
            }),
        ["an Initialized canary with a new revision starts its first run"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Initialized, applied: Rev1, promoted: Rev1)), Obs(Rev2, canary: WorkloadObservation.ReadyAtZero)),
            d =>
            {
                Assert.Equal((CanaryPhase.Progressing, Rev2, Rev1), (d.S().Phase(), d.S().LastAppliedSpec, d.S().LastPromotedSpec));
                Assert.Contains(new ScaleTargetUp(), d.Actions);
            }),
        ["an approved WaitingPromotion canary promotes without the traffic increase gate"] = new(
            () => Decide(Canary(a => a.Webhooks = [Hook("ti", "confirm-traffic-increase"), Hook("promo", "confirm-promotion")], status: Status(CanaryPhase.WaitingPromotion, iterations: -1)), Obs(Rev2, Routes(50)),
                g => g == Gate.ConfirmTrafficIncrease ? throw new InvalidOperationException("not in WaitingPromotion") : Pass("promo")),
            d => Assert.Equal(CanaryPhase.Promoting, d.S().Phase())),

        // ---- mirroring ----
        ["mirroring starts with one interval of pure mirroring"] = new(
            () => Decide(Canary(a => a.Mirror = true, status: Status(CanaryPhase.Progressing)), Obs(Rev2)),
            d =>
            {
                Assert.Equal([new SetRoutes(100, 0, true)], d.RouteChanges());
                Assert.Equal(0, d.S().CanaryWeight);
            }),
        ["the mirrored interval is analysed and then traffic shifts to the first step"] = new(
            () => Decide(Canary(a => { a.Mirror = true; a.Webhooks = [Hook("ti", "confirm-traffic-increase")]; }, status: Status(CanaryPhase.Progressing)), Obs(Rev2, Routes(0, mirrored: true)),
                g => g == Gate.ConfirmTrafficIncrease ? throw new InvalidOperationException("not while mirrored") : DefaultPass(g)),
            d =>
            {
                Assert.Equal([new SetRoutes(90, 10, false)], d.RouteChanges());
                Assert.DoesNotContain("Starting canary analysis for " + TargetNs, d.EventTexts());
            }),

        // ---- blue/green (inventory §2.3) ----
        ["blue/green advances one iteration per tick without routing"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; }, status: Status(CanaryPhase.Progressing, iterations: 1)), Obs(Rev2)),
            d =>
            {
                Assert.Equal(2, d.S().Iterations);
                Assert.Empty(d.RouteChanges());
                Assert.Equal(["Advance " + NameNs + " canary iteration 2/5"], d.EventTexts());
            }),
        ["blue/green with mirror turns mirroring on"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; a.Mirror = true; }, status: Status(CanaryPhase.Progressing, iterations: 1)), Obs(Rev2)),
            d => Assert.Equal([new SetRoutes(100, 0, true)], d.RouteChanges())),
        ["blue/green after the last iteration routes all traffic to the canary"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; }, status: Status(CanaryPhase.Progressing, iterations: 5)), Obs(Rev2)),
            d =>
            {
                Assert.Equal(6, d.S().Iterations);
                Assert.Equal([new SetRoutes(0, 100, false)], d.RouteChanges());
                Assert.Equal(["Routing all traffic to canary"], d.EventTexts());
            }),
        ["blue/green with mirror stops mirroring when routing all traffic to the canary"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; a.Mirror = true; }, status: Status(CanaryPhase.Progressing, iterations: 5)), Obs(Rev2, Routes(0, mirrored: true))),
            d => Assert.Equal(["Stop traffic mirroring and route all traffic to canary"], d.EventTexts())),
        ["blue/green analysed at 100% canary traffic promotes after one confirm-promotion check"] = new(
            () => Decide(Canary(a => { a.Iterations = 5; a.StepWeight = null; a.MaxWeight = null; a.Webhooks = [Hook("promo", "confirm-promotion")]; }, status: Status(CanaryPhase.Progressing, iterations: 6)), Obs(Rev2, Routes(100)), g => Pass("promo")),
            d =>
            {
                Assert.Equal(CanaryPhase.Promoting, d.S().Phase());
                Assert.Equal(["Confirm-promotion check promo passed", "Copying " + TargetNs + " template spec to podinfo-primary.test"], d.EventTexts());
            }),
        ["the kubernetes provider forces 10 iterations with warnings"] = new(
            () => Decide(Canary(spec: s => s.Provider = "kubernetes", status: Status(CanaryPhase.Progressing)), Obs(Rev2)),
            d =>
            {
                Assert.Equal(["Progressive traffic is not supported when using the kubernetes provider", "Setting canaryAnalysis.iterations: 10"], d.Warnings());
                Assert.Equal(1, d.S().Iterations);
                Assert.Contains("Advance " + NameNs + " canary iteration 1/10", d.EventTexts());
            }),
        ["the kubernetes provider drops A/B match with a warning and runs blue/green"] = new(
            () => Decide(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Match = [new HttpMatchRequest()]; }, s => s.Provider = "kubernetes", Status(CanaryPhase.Progressing, iterations: 1)), Obs(Rev2, Routes(100))),
            d =>
            {
                Assert.Equal(["A/B testing is not supported when using the kubernetes provider"], d.Warnings());
                Assert.Empty(d.RouteChanges());
                Assert.Equal(2, d.S().Iterations);
            }),

        // ---- A/B testing ----
        ["A/B routes matching traffic to the canary and advances an iteration"] = new(
            () => Decide(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Match = [new HttpMatchRequest()]; }, status: Status(CanaryPhase.Progressing)), Obs(Rev2)),
            d =>
            {
                Assert.Equal([new SetRoutes(0, 100, false)], d.RouteChanges());
                Assert.Equal(1, d.S().Iterations);
                Assert.Equal(["Starting canary analysis for " + TargetNs, "Advance " + NameNs + " canary iteration 1/3"], d.EventTexts());
            }),
        ["A/B after the last iteration promotes after one confirm-promotion check"] = new(
            () => Decide(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Match = [new HttpMatchRequest()]; a.Webhooks = [Hook("promo", "confirm-promotion")]; }, status: Status(CanaryPhase.Progressing, iterations: 3)), Obs(Rev2, Routes(100)), g => Pass("promo")),
            d =>
            {
                Assert.Equal(CanaryPhase.Promoting, d.S().Phase());
                Assert.Equal(["Confirm-promotion check promo passed", "Copying " + TargetNs + " template spec to podinfo-primary.test"], d.EventTexts());
            }),
        ["A/B with a failing confirm-promotion gate waits for approval"] = new(
            () => Decide(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Match = [new HttpMatchRequest()]; a.Webhooks = [Hook("promo", "confirm-promotion")]; }, status: Status(CanaryPhase.Progressing, iterations: 3)), Obs(Rev2, Routes(100)), g => Fail("promo")),
            d => Assert.Equal((CanaryPhase.WaitingPromotion, 2), (d.S().Phase(), d.S().Iterations))),

        // ---- session affinity (inventory §1.5, pkg/router/istio.go) ----
        ["the first canary traffic sets the session affinity cookies"] = new(
            () => Decide(Canary(a => a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie", PrimaryCookieName = "primary-cookie" }, status: Status(CanaryPhase.Progressing)), Obs(Rev2)),
            d => Assert.Equal(("flagger-cookie=cookieAAAAA", "primary-cookie=cookieBBBBB"), (d.S().SessionAffinityCookie, d.S().PrimarySessionAffinityCookie))),
        ["an existing session affinity cookie is kept while traffic increases"] = new(
            () => Decide(Canary(a => a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" }, status: WithCookie(Status(CanaryPhase.Progressing, weight: 10), "flagger-cookie=OLDOLDOLDO")), Obs(Rev2, Routes(10))),
            d => Assert.Equal("flagger-cookie=OLDOLDOLDO", d.S().SessionAffinityCookie)),
        ["routing back to zero moves the session affinity cookie to previous"] = new(
            () => Decide(Canary(a => a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" }, status: WithCookie(Status(CanaryPhase.Promoting, weight: 50), "flagger-cookie=OLDOLDOLDO")), Obs(Rev2, Routes(50))),
            d => Assert.Equal((null, "flagger-cookie=OLDOLDOLDO"), (d.S().SessionAffinityCookie, d.S().PreviousSessionAffinityCookie))),
        ["the kubernetes provider ignores session affinity"] = new(
            () => Decide(Canary(a => { a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie" }; a.Iterations = 2; a.StepWeight = null; }, s => s.Provider = "kubernetes", Status(CanaryPhase.Progressing, iterations: 2)), Obs(Rev2, Routes(100))),
            d => Assert.Null(d.S().SessionAffinityCookie)),

        // ---- traffic safety ----
        ["a canary scaled to zero never receives traffic: it is scaled up instead"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 10)), Obs(Rev2, Routes(10), canary: WorkloadObservation.ReadyAtZero)),
            d =>
            {
                Assert.Empty(d.RouteChanges());
                Assert.Contains(new ScaleTargetUp(), d.Actions);
                Assert.Contains("podinfo.test is scaled to zero, not routing traffic to it", d.Warnings());
                Assert.Null(d.Status);
            }),

        // ---- status bookkeeping ----
        ["every status write stamps lastTransitionTime and keeps the condition's transition time while its status holds"] = new(
            () => Decide(Canary(status: Status(CanaryPhase.Progressing, weight: 50)), Obs(Rev2, Routes(50))),
            d =>
            {
                Assert.Equal("2026-11-26T08:00:00Z", d.S().LastTransitionTime);
                var c = d.S().Conditions![0];
                Assert.Equal(("Promoting", "2026-11-26T07:00:00Z", "2026-11-26T08:00:00Z"), (c.Reason, c.LastTransitionTime, c.LastUpdateTime));
            }),
        ["the input status is never mutated"] = new(
            () =>
            {
                var canary = Canary(status: Status(CanaryPhase.Progressing, weight: 20));
                var d = Decide(canary, Obs(Rev2, Routes(20)));
                Assert.Equal(20, canary.Status!.CanaryWeight);
                return d;
            },
            d => Assert.Equal(30, d.S().CanaryWeight)),
    };

    private static CanaryStatus WithCookie(CanaryStatus s, string cookie)
    {
        s.SessionAffinityCookie = cookie;
        return s;
    }

    public static TheoryData<string> Transitions => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Transition(string behaviour)
    {
        var row = Rows[behaviour];
        row.Check(row.Decide());
    }

    [Fact]
    public void Gates_are_requested_in_upstream_order_with_their_payload_phase()
    {
        var canary = Canary(a =>
        {
            WithMetrics(a);
            a.Webhooks = [Hook("rb", "rollback"), Hook("load", "rollout"), Hook("ti", "confirm-traffic-increase"), Hook("promo", "confirm-promotion")];
        }, status: Status(CanaryPhase.Progressing, weight: 50));
        var asked = new List<NeedJudgement>();

        Decide(new TickInput(canary, Obs(Rev2, Routes(50)), T0, "c", "p"), g => g == Gate.Rollback ? Fail("rb") : g == Gate.Metrics ? MetricsOutcome.Pass : Pass("x"), asked);

        Assert.Equal(
            [new NeedJudgement(Gate.Rollback, CanaryPhase.Progressing), new NeedJudgement(Gate.Rollout, CanaryPhase.Progressing),
                new NeedJudgement(Gate.Metrics, CanaryPhase.Progressing), new NeedJudgement(Gate.ConfirmTrafficIncrease, CanaryPhase.Progressing),
                new NeedJudgement(Gate.ConfirmPromotion, CanaryPhase.Progressing)],
            asked);
    }

    [Fact]
    public void Confirm_rollout_is_requested_with_the_current_phase_as_payload()
    {
        var asked = new List<NeedJudgement>();
        Decide(new TickInput(Canary(a => a.Webhooks = [Hook("gate", "confirm-rollout")], status: Settled(CanaryPhase.Failed)), Obs(Rev2), T0, "c", "p"), _ => Pass("gate"), asked);
        Assert.Equal([new NeedJudgement(Gate.ConfirmRollout, CanaryPhase.Failed)], asked);
    }

    [Fact]
    public void Gates_without_webhooks_or_metrics_are_never_requested()
    {
        var asked = new List<NeedJudgement>();
        Decide(new TickInput(Canary(status: Status(CanaryPhase.Progressing, weight: 20)), Obs(Rev2, Routes(20)), T0, "c", "p"), null, asked);
        Assert.Empty(asked);
    }
}
