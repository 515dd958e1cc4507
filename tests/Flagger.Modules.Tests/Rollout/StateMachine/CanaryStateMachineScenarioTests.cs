using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Workloads.Contracts;
using static Flagger.Modules.Tests.Rollout.StateMachine.Fx;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

/// <summary>Multi-tick simulations: the machine driven tick by tick against <see cref="RolloutWorld"/>.</summary>
public sealed class CanaryStateMachineScenarioTests
{
    private const string NameNs = "podinfo-canary.test";
    private const string TargetNs = "podinfo.test";

    private static readonly MetricsOutcome MetricFails = MetricsOutcome.Fail("Halt podinfo-canary.test advancement request-success-rate 55.00 < 99");

    // ---- the seed's scenario tables ----

    [Fact]
    public void Threshold_5_with_failing_checks_at_T2_to_T6_rolls_back_at_T6()
    {
        var world = RolloutWorld.SettledOn(Canary(WithMetrics));
        world.RolloutsTakeATick = false;
        world.Gates = (tick, gate) => gate == Gate.Metrics && tick - 1 is >= 2 and <= 6 ? MetricFails : null;

        // tick T0 = detection; expected (phase, canaryWeight, failedChecks) after each tick
        (CanaryPhase Phase, int Weight, int Failed)[] expected =
        [
            (CanaryPhase.Progressing, 0, 0), // T0 new revision detected, canary scaled up
            (CanaryPhase.Progressing, 10, 0), // T1 pre-rollout passes, weight 10
            (CanaryPhase.Progressing, 10, 1), // T2 checks fail
            (CanaryPhase.Progressing, 10, 2), // T3
            (CanaryPhase.Progressing, 10, 3), // T4
            (CanaryPhase.Progressing, 10, 4), // T5
            (CanaryPhase.Failed, 0, 0), // T6 fifth failure reaches the threshold: rollback now (upstream: at T7)
        ];
        foreach (var (phase, weight, failed) in expected)
        {
            world.Step();
            Assert.Equal((phase, weight, failed), (world.Phase, world.Status.CanaryWeight ?? 0, world.Status.FailedChecks ?? 0));
        }

        var rollback = world.History[^1];
        Assert.Equal(
            ["Halt podinfo-canary.test advancement request-success-rate 55.00 < 99", "Rolling back " + NameNs + " failed checks threshold reached 5", "Canary failed! Scaling down " + NameNs],
            rollback.Warnings());
        Assert.Equal(new RouteObservation(100, 0, false), world.Routes);
        Assert.Equal(ScaleState.Zero, world.CanaryScale);
        Assert.Equal(Rev1, world.PrimaryRevision);
        Assert.Equal(1, world.PostRolloutRuns);
    }

    [Fact]
    public void An_intermittent_single_failure_still_promotes_after_10_iterations()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { WithMetrics(a); a.Iterations = 10; a.StepWeight = null; a.MaxWeight = null; }));
        world.RolloutsTakeATick = false;
        world.Gates = (tick, gate) => gate == Gate.Metrics && tick - 1 == 5 ? MetricFails : null;

        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);

        var iterationEvents = world.AllEvents.Where(e => e.StartsWith("Advance " + NameNs + " canary iteration", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"Advance {NameNs} canary iteration {i}/10"), iterationEvents);
        Assert.Equal(1, world.Status.FailedChecks);
        Assert.Equal(Rev2, world.PrimaryRevision);

        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
        Assert.Equal(new RouteObservation(100, 0, false), world.Routes);
    }

    // ---- strategies end to end ----

    [Fact]
    public void A_canary_with_stepWeight_is_initialized_then_promoted_with_upstreams_event_timeline()
    {
        var world = new RolloutWorld(Canary(a => a.Webhooks = [Hook("promo", "confirm-promotion")]));
        world.StepUntil(w => w.Phase == CanaryPhase.Initialized);
        Assert.Equal((Rev1, Rev1), (world.Status.LastAppliedSpec, world.Status.LastPromotedSpec));
        Assert.Equal(ScaleState.Zero, world.CanaryScale);
        world.Step();
        Assert.Equal(CanaryPhase.Initialized, world.Phase); // nothing changed: idle

        world.TargetRevision = Rev2;
        var from = world.History.Count;
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);

        Assert.Equal(
        [
            "New revision detected! Scaling up " + TargetNs,
            "podinfo.test not ready: waiting for rollout to finish",
            "Starting canary analysis for " + TargetNs,
            "Advance " + NameNs + " canary weight 10",
            "Advance " + NameNs + " canary weight 20",
            "Advance " + NameNs + " canary weight 30",
            "Advance " + NameNs + " canary weight 40",
            "Advance " + NameNs + " canary weight 50",
            "Confirm-promotion check promo passed",
            "Copying " + TargetNs + " template spec to podinfo-primary.test",
            "podinfo-primary.test not ready: waiting for rollout to finish",
            "Routing all traffic to primary",
            "Promotion completed! Scaling down " + TargetNs,
        ],
            world.History.Skip(from).SelectMany(d => d.Events).Select(e => e.Message));
        Assert.Equal((Rev2, Rev2, 0), (world.Status.LastAppliedSpec, world.Status.LastPromotedSpec, world.Status.CanaryWeight));
        Assert.Equal((Rev2, ScaleState.Zero, new RouteObservation(100, 0, false)), (world.PrimaryRevision, world.CanaryScale, world.Routes));
        Assert.Equal(1, world.PostRolloutRuns);

        world.Step();
        Assert.Null(world.History[^1].Status); // settled again
    }

    [Fact]
    public void StepWeights_climb_the_ladder_then_promote()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { a.StepWeight = null; a.MaxWeight = null; a.StepWeights = [1, 2, 10, 80]; }));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);

        Assert.Equal([1, 2, 10, 80], world.History.SelectMany(d => d.RouteChanges()).Select(r => r.CanaryWeight));
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
    }

    [Fact]
    public void StepWeightPromotion_shifts_traffic_back_to_the_primary_progressively()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { a.MaxWeight = 60; a.StepWeight = 30; a.StepWeightPromotion = 25; }));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);
        var from = world.History.Count;
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);

        Assert.Equal([(65, 35), (90, 10), (100, 0)], world.History.Skip(from).SelectMany(d => d.RouteChanges()).Select(r => (r.PrimaryWeight, r.CanaryWeight)));
        Assert.Contains("Advance " + NameNs + " primary weight 65", world.AllEvents);
    }

    [Fact]
    public void A_B_testing_routes_matching_traffic_to_the_canary_for_all_iterations_then_promotes()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Match = [new HttpMatchRequest()]; }));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);

        Assert.Equal(new RouteObservation(0, 100, false), world.Routes);
        Assert.Equal(3, world.AllEvents.Count(e => e.Contains("canary iteration", StringComparison.Ordinal)));
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
        Assert.Equal(new RouteObservation(100, 0, false), world.Routes);
    }

    [Fact]
    public void Blue_green_with_istio_mirrors_during_iterations_then_switches_all_traffic_before_promoting()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { a.Iterations = 3; a.StepWeight = null; a.MaxWeight = null; a.Mirror = true; }));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);

        Assert.Equal(
            [new SetRoutes(100, 0, true), new SetRoutes(0, 100, false)],
            world.History.SelectMany(d => d.RouteChanges()));
        Assert.Contains("Stop traffic mirroring and route all traffic to canary", world.AllEvents);
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
        Assert.Equal(new RouteObservation(100, 0, false), world.Routes);
    }

    [Fact]
    public void Blue_green_with_the_kubernetes_provider_runs_10_forced_iterations()
    {
        var world = RolloutWorld.SettledOn(Canary(), provider: "kubernetes");
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);

        Assert.Equal(10, world.AllEvents.Count(e => e.StartsWith("Advance " + NameNs + " canary iteration", StringComparison.Ordinal)));
        Assert.Contains("Advance " + NameNs + " canary iteration 10/10", world.AllEvents);
        Assert.Contains("Setting canaryAnalysis.iterations: 10", world.AllEvents);
        Assert.DoesNotContain("Routing all traffic to canary", world.AllEvents);
        Assert.Equal(Rev2, world.PrimaryRevision);
    }

    [Fact]
    public void Mirroring_spends_one_interval_mirrored_before_shifting_traffic()
    {
        var world = RolloutWorld.SettledOn(Canary(a => a.Mirror = true));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);

        Assert.Equal(
            [new SetRoutes(100, 0, true), new SetRoutes(90, 10, false), new SetRoutes(80, 20, false), new SetRoutes(70, 30, false), new SetRoutes(60, 40, false), new SetRoutes(50, 50, false)],
            world.History.SelectMany(d => d.RouteChanges()));
    }

    [Fact]
    public void Session_affinity_cookies_are_set_with_traffic_and_retired_when_the_run_ends()
    {
        var world = RolloutWorld.SettledOn(Canary(a => a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie", PrimaryCookieName = "primary-cookie" }));
        world.StepUntil(w => (w.Status.CanaryWeight ?? 0) > 0);
        var cookie = world.Status.SessionAffinityCookie;
        Assert.StartsWith("flagger-cookie=canary", cookie, StringComparison.Ordinal);
        Assert.StartsWith("primary-cookie=primar", world.Status.PrimarySessionAffinityCookie, StringComparison.Ordinal);

        world.Step();
        Assert.Equal(cookie, world.Status.SessionAffinityCookie); // stable across steps

        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
        Assert.Null(world.Status.SessionAffinityCookie);
        Assert.Equal(cookie, world.Status.PreviousSessionAffinityCookie);
    }

    [Fact]
    public void Every_route_change_carries_the_cookies_its_decision_writes_to_status()
    {
        var world = RolloutWorld.SettledOn(Canary(a => a.SessionAffinity = new SessionAffinity { CookieName = "flagger-cookie", PrimaryCookieName = "primary-cookie" }));
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);

        var routed = world.History.Where(d => d.RouteChanges().Count > 0).ToList();
        Assert.Contains(routed, d => d.RouteChanges()[0].Cookies.Current is not null);
        Assert.Contains(routed, d => d.RouteChanges()[0].Cookies.Previous is not null);
        Assert.All(routed, d => Assert.Equal(SessionAffinityCookies.FromStatus(d.S()), Assert.Single(d.RouteChanges()).Cookies));
    }

    // ---- special paths ----

    [Fact]
    public void SkipAnalysis_promotes_as_soon_as_the_canary_is_ready()
    {
        var world = RolloutWorld.SettledOn(Canary(spec: s => s.SkipAnalysis = true));
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);

        Assert.Equal(3, world.Tick); // detect, wait for canary, promote
        Assert.Equal((Rev2, ScaleState.Zero), (world.PrimaryRevision, world.CanaryScale));
        Assert.Contains("Promotion completed! Canary analysis was skipped for " + TargetNs, world.AllEvents);
        Assert.DoesNotContain(world.History.SelectMany(d => d.RouteChanges()), r => r.CanaryWeight > 0);
    }

    [Fact]
    public void A_suspended_run_holds_its_state_and_resumes_when_unsuspended()
    {
        var world = RolloutWorld.SettledOn(Canary());
        world.StepUntil(w => w.Status.CanaryWeight == 20);

        world.Canary.Spec.Suspend = true;
        for (var i = 0; i < 3; i++)
        {
            var d = world.Step();
            Assert.Equal([new EmitEvent(EventType.Normal, "skipping canary run as object is suspended")], d.Actions);
        }

        Assert.Equal((CanaryPhase.Progressing, 20), (world.Phase, world.Status.CanaryWeight));
        world.Canary.Spec.Suspend = false;
        world.Step();
        Assert.Equal(30, world.Status.CanaryWeight);
    }

    [Fact]
    public void A_primary_that_misses_its_deadline_during_promotion_fails_with_traffic_on_the_running_canary()
    {
        var world = RolloutWorld.SettledOn(Canary(a => a.StepWeightPromotion = 10));
        world.StepUntil(w => w.Phase == CanaryPhase.Promoting);
        world.Step(); // first promotion step: primary rolling out
        world.PrimaryOverride = new WorkloadObservation(ReadinessState.DeadlineExceeded, "podinfo-primary.test progress deadline exceeded");
        world.Step();

        Assert.Equal((CanaryPhase.Failed, 100), (world.Phase, world.Status.CanaryWeight));
        Assert.Equal(new RouteObservation(0, 100, false), world.Routes);
        Assert.Equal(ScaleState.Up, world.CanaryScale);
        Assert.Contains("Promotion of " + TargetNs + " failed, primary not ready: podinfo-primary.test progress deadline exceeded", world.AllEvents);

        world.PrimaryOverride = null;
        world.Step();
        Assert.Equal((CanaryPhase.Failed, ScaleState.Up), (world.Phase, world.CanaryScale)); // stays failed, canary keeps serving
    }

    [Fact]
    public void A_canary_that_misses_its_progress_deadline_is_rolled_back()
    {
        var world = RolloutWorld.SettledOn(Canary());
        world.StepUntil(w => w.Status.CanaryWeight == 20);
        world.CanaryOverride = new WorkloadObservation(ReadinessState.DeadlineExceeded, "podinfo.test progress deadline exceeded");
        world.Step();

        Assert.Equal(CanaryPhase.Failed, world.Phase);
        Assert.Equal((new RouteObservation(100, 0, false), ScaleState.Zero), (world.Routes, world.CanaryScale));
        Assert.Contains(world.History[^1].Alerts, a => a.Message == "Progress deadline exceeded podinfo.test progress deadline exceeded");
        Assert.Contains("Rolling back " + NameNs + " progress deadline exceeded podinfo.test progress deadline exceeded", world.AllEvents);

        world.CanaryOverride = null;
        world.Step();
        Assert.Equal(CanaryPhase.Failed, world.Phase); // the failed revision does not start again
        world.TargetRevision = Rev3;
        world.Step();
        Assert.Equal((CanaryPhase.Progressing, Rev3), (world.Phase, world.Status.LastAppliedSpec));
    }

    [Fact]
    public void A_new_revision_mid_analysis_restarts_from_zero_and_promotes_the_newest()
    {
        var world = RolloutWorld.SettledOn(Canary());
        world.StepUntil(w => w.Status.CanaryWeight == 30);
        world.TargetRevision = Rev3;
        world.Step();

        Assert.Equal((CanaryPhase.Progressing, 0, Rev3), (world.Phase, world.Status.CanaryWeight, world.Status.LastAppliedSpec));
        Assert.Equal(new RouteObservation(100, 0, false), world.Routes);
        Assert.Contains("New revision detected! Restarting analysis for " + TargetNs, world.AllEvents);

        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded);
        Assert.Equal((Rev3, Rev3), (world.PrimaryRevision, world.Status.LastPromotedSpec));
    }

    [Fact]
    public void Deleting_a_canary_with_revertOnDeletion_reverts_the_target_before_routing_and_then_releases_it()
    {
        var world = RolloutWorld.SettledOn(Canary(spec: s => s.RevertOnDeletion = true), revision: Rev1);
        world.Step();
        Assert.True(world.HasFinalizer);

        world.DeletionRequested = true;
        world.Step();
        Assert.Equal((CanaryPhase.Terminating, ScaleState.Up), (world.Phase, world.CanaryScale));
        Assert.False(world.Gone);

        world.StepUntil(w => w.Gone);
        var last = world.History[^1];
        Assert.Equal([new RevertTarget(), new RevertServices(), new RevertMeshRoutes(), new RemoveFinalizer()], last.Effects());
        Assert.Equal(["Terminating canary " + NameNs, "Terminated canary " + NameNs], world.AllEvents.Where(e => e.StartsWith("Termin", StringComparison.Ordinal)));
        Assert.True(world.Tick >= 4, "routing is reverted only after the reverted target was seen ready");
    }

    // ---- crash safety: a crash between the actions and the status write ----

    [Theory]
    [InlineData(1)] // on the detection tick
    [InlineData(3)] // while advancing weight
    [InlineData(8)] // on the promotion tick
    [InlineData(10)] // while routing all traffic back to the primary
    [InlineData(11)] // while finalising
    public void A_crash_before_the_status_write_converges_to_the_same_promotion(int crashTick)
    {
        var world = RolloutWorld.SettledOn(Canary());
        world.CrashBeforeStatusWrite.Add(crashTick);
        world.StepUntil(w => w.Phase == CanaryPhase.Succeeded && w.Status.LastPromotedSpec == Rev2);

        Assert.Equal((Rev2, Rev2, ScaleState.Zero, new RouteObservation(100, 0, false)), (world.PrimaryRevision, world.Status.LastPromotedSpec, world.CanaryScale, world.Routes));
    }

    [Fact]
    public void A_crash_during_rollback_never_routes_traffic_to_the_scaled_down_canary()
    {
        var world = RolloutWorld.SettledOn(Canary(a => { WithMetrics(a); a.Threshold = 2; }));
        world.RolloutsTakeATick = false;
        world.Gates = (tick, gate) => gate == Gate.Metrics && tick is 3 or 4 ? MetricFails : null;
        world.CrashBeforeStatusWrite.Add(4); // the rollback tick: routes and scale-down done, status not written

        // RolloutWorld asserts on every SetRoutes that the canary is up and ready; run until the canary finishes somewhere
        world.StepUntil(w => w.Phase is CanaryPhase.Failed or CanaryPhase.Succeeded);
        Assert.Contains(world.History.Skip(4).SelectMany(d => d.Actions), a => a is ScaleTargetUp);
    }
}
