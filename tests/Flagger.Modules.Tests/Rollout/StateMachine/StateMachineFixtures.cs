using Flagger.Modules.Rollout.StateMachine;
using Flagger.Modules.Shared.Crd;
using k8s.Models;

namespace Flagger.Modules.Tests.Rollout.StateMachine;

/// <summary>Builders for canaries, statuses and observations, and the gate loop, shared by the state machine tests.</summary>
internal static class Fx
{
    public const string Rev1 = "rev-one-0001";
    public const string Rev2 = "rev-two-0002";
    public const string Rev3 = "rev-three-03";
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    public static Canary Canary(
        Action<CanaryAnalysis>? analysis = null,
        Action<CanarySpec>? spec = null,
        CanaryStatus? status = null)
    {
        var a = new CanaryAnalysis { Interval = "1m", Threshold = 5, MaxWeight = 50, StepWeight = 10 };
        analysis?.Invoke(a);
        var s = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            Service = new CanaryService { Port = 9898 },
            Analysis = a,
        };
        spec?.Invoke(s);
        return new Canary
        {
            Metadata = new V1ObjectMeta { Name = "podinfo-canary", NamespaceProperty = "test" },
            Spec = s,
            Status = status,
        };
    }

    /// <summary>A status as our machine would have written it in <paramref name="phase"/>.</summary>
    public static CanaryStatus Status(
        CanaryPhase phase,
        int weight = 0,
        int iterations = 0,
        int failedChecks = 0,
        string? applied = Rev2,
        string? promoted = Rev1,
        Dictionary<string, string>? configs = null)
    {
        var (condition, message) = PromotedCondition.For(phase, "Deployment");
        return new CanaryStatus
        {
            Phase = CanaryStateMachine.PhaseText(phase),
            CanaryWeight = weight,
            Iterations = iterations,
            FailedChecks = failedChecks,
            LastAppliedSpec = applied,
            LastPromotedSpec = promoted,
            TrackedConfigs = configs,
            LastTransitionTime = "2026-11-26T07:00:00Z",
            Conditions =
            [
                new CanaryCondition
                {
                    Type = "Promoted", Status = condition, Reason = CanaryStateMachine.PhaseText(phase), Message = message,
                    LastUpdateTime = "2026-11-26T07:00:00Z", LastTransitionTime = "2026-11-26T07:00:00Z",
                },
            ],
        };
    }

    /// <summary>Idle settled status: Succeeded with Rev1 applied and promoted.</summary>
    public static CanaryStatus Settled(CanaryPhase phase = CanaryPhase.Succeeded) => Status(phase, applied: Rev1, promoted: Rev1);

    public static Observation Obs(
        string revision = Rev2,
        RouteObservation? routes = null,
        WorkloadObservation? primary = null,
        WorkloadObservation? canary = null) => new()
    {
        TargetRevision = revision,
        Routes = routes ?? new RouteObservation(100, 0, false),
        Primary = primary ?? WorkloadObservation.ReadyUp,
        Canary = canary ?? WorkloadObservation.ReadyUp,
    };

    public static RouteObservation Routes(int canaryWeight, bool mirrored = false) => new(100 - canaryWeight, canaryWeight, mirrored);

    public static HooksOutcome Pass(string name) => HooksOutcome.Of(new HookResult(name, true));

    public static HooksOutcome Fail(string name, string error = "denied") => HooksOutcome.Of(new HookResult(name, false, error));

    public static CanaryWebhook Hook(string name, string type, bool mute = false) =>
        new() { Name = name, Type = type, Url = $"http://loadtester.test/{name}", MuteAlert = mute };

    public static void WithMetrics(CanaryAnalysis a) =>
        a.Metrics = [new CanaryMetric { Name = "request-success-rate", Interval = "1m", ThresholdRange = new CanaryThresholdRange { Min = 99 } }];

    /// <summary>Runs the gate loop: asks <paramref name="gates"/> for every gate the machine needs (default: pass).</summary>
    public static Decision Decide(
        TickInput input,
        Func<Gate, GateOutcome>? gates = null,
        List<NeedJudgement>? asked = null,
        string provider = "istio")
    {
        var machine = new CanaryStateMachine(provider);
        var judgement = Judgement.None;
        for (var i = 0; i < 20; i++)
        {
            switch (machine.Tick(input, judgement))
            {
                case Decision decision:
                    return decision;
                case NeedJudgement need:
                    asked?.Add(need);
                    Assert.False(judgement.TryGet(need.Gate, out _), $"gate {need.Gate} asked twice");
                    judgement = judgement.With(need.Gate, gates?.Invoke(need.Gate) ?? DefaultPass(need.Gate));
                    break;
            }
        }

        throw new InvalidOperationException("the machine did not decide after 20 gates");
    }

    public static GateOutcome DefaultPass(Gate gate) => gate == Gate.Metrics ? MetricsOutcome.Pass : HooksOutcome.Of();

    public static Decision Decide(Canary canary, Observation obs, Func<Gate, GateOutcome>? gates = null, string provider = "istio") =>
        Decide(new TickInput(canary, obs, T0, "cookieAAAAA", "cookieBBBBB"), gates, provider: provider);

    public static IReadOnlyList<string> EventTexts(this Decision d) => d.Events.Select(e => e.Message).ToList();

    public static IReadOnlyList<string> Warnings(this Decision d) =>
        d.Events.Where(e => e.Type == EventType.Warning).Select(e => e.Message).ToList();

    public static IReadOnlyList<CanaryAction> Effects(this Decision d) =>
        d.Actions.Where(a => a is not (EmitEvent or SendAlert or RecordStatusMetric or RecordWeightMetric or RecordRunOutcome)).ToList();

    public static IReadOnlyList<SetRoutes> RouteChanges(this Decision d) => d.Actions.OfType<SetRoutes>().ToList();

    /// <summary>The written status; fails the test when the decision writes none.</summary>
    public static CanaryStatus S(this Decision d) => d.Status ?? throw new Xunit.Sdk.XunitException("the decision writes no status: " + d.Summary);

    public static CanaryPhase Phase(this CanaryStatus s) => CanaryStateMachine.ParsePhase(s.Phase);
}
