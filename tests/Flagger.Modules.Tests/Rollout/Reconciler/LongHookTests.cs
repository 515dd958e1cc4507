using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;
using static Flagger.Modules.Tests.Workloads.WorkloadFixtures;

namespace Flagger.Modules.Tests.Rollout.Reconciler;

/// <summary>Issue 12 items 2 and 3: long and hanging hooks, on a fake clock (each step is a minute later).</summary>
public sealed class LongHookTests
{
    // A step that waits on a hook would never return (the fake clock only moves between steps): bound it in real time.
    private static readonly TimeSpan StepBound = TimeSpan.FromSeconds(5);

    private static ReconcilerHarness Start(string hookTimeout)
    {
        var canary = ReconcilerHarness.BlueGreenCanary(spec => spec.Analysis!.Webhooks =
        [
            new CanaryWebhook { Name = "migrate", Type = WebhookTypes.PreRollout, Url = "http://migrations.test/", Timeout = hookTimeout },
        ]);
        var harness = new ReconcilerHarness();
        harness.Kube.Seed(Deployment());
        SeedConfigs(harness.Kube);
        harness.Kube.Seed(canary);
        return harness;
    }

    private static async Task StepAsync(ReconcilerHarness harness)
    {
        harness.MarkDeploymentsReady();
        await harness.StepAsync(Canary()).WaitAsync(StepBound, TestContext.Current.CancellationToken);

        // Let work finished by the clock's move (the hook) complete its continuations.
        await Task.Delay(20, TestContext.Current.CancellationToken);
    }

    private static async Task NewRevisionAsync(ReconcilerHarness harness)
    {
        for (var i = 0; i < 10 && harness.Get(Canary()).Status?.Phase != nameof(CanaryPhase.Initialized); i++)
        {
            await StepAsync(harness);
        }

        var target = Deployment();
        target.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1";
        target.Metadata.Generation = 2;
        harness.Kube.Seed(target);
    }

    [Fact]
    public async Task A_pre_rollout_hook_running_8_minutes_is_called_once_shown_in_status_and_its_success_used()
    {
        using var harness = Start("8m");
        harness.Hooks.Behaviour = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(8), harness.Time, ct);
            return new WebhookOutcome("migrate", true, 200, null, 1);
        };
        await NewRevisionAsync(harness);

        var waiting = new List<string?>();
        for (var i = 0; i < 24 && harness.Get(Canary()).Status?.Phase != nameof(CanaryPhase.Succeeded); i++)
        {
            await StepAsync(harness);
            waiting.Add(harness.Get(Canary()).Status?.WaitingFor);
        }

        Assert.Equal(1, harness.Hooks.Calls);
        Assert.Equal(nameof(CanaryPhase.Succeeded), harness.Get(Canary()).Status?.Phase);
        Assert.Contains(waiting, w => w?.StartsWith("pre-rollout webhook migrate (running since ", StringComparison.Ordinal) == true);
        Assert.Null(harness.Get(Canary()).Status?.WaitingFor);
        var waitingEvents = harness.Events.Recorded.Where(e => e.Message.StartsWith("Waiting for pre-rollout webhook migrate", StringComparison.Ordinal)).ToList();
        Assert.Single(waitingEvents);
        Assert.Equal("Normal", waitingEvents[0].Type);
    }

    [Fact]
    public async Task A_hanging_hook_never_holds_the_step_and_is_not_called_again_while_it_runs()
    {
        using var harness = Start("10m");
        var hanging = new TaskCompletionSource<WebhookOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Hooks.Behaviour = (_, _) => hanging.Task;
        await NewRevisionAsync(harness);

        for (var i = 0; i < 6; i++)
        {
            await StepAsync(harness);
        }

        Assert.Equal(1, harness.Hooks.Calls);
        Assert.Equal(nameof(CanaryPhase.Progressing), harness.Get(Canary()).Status?.Phase);

        // The hook fails at last: the canary's next step takes the failure (upstream's halt event).
        hanging.SetResult(new WebhookOutcome("migrate", false, 500, "migration failed", 1));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        await StepAsync(harness);
        Assert.Contains(harness.Events.Recorded, e => e.Message.Contains("pre-rollout check migrate failed", StringComparison.Ordinal));
        Assert.Null(harness.Get(Canary()).Status?.WaitingFor);
    }
}
