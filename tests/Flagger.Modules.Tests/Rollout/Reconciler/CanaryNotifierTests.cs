using Flagger.Modules.Alerting.Contracts;
using Flagger.Modules.Rollout.Reconciler;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flagger.Modules.Tests.Rollout.Reconciler;

public sealed class CanaryNotifierTests
{
    [Fact]
    public async Task An_alert_that_could_not_be_delivered_becomes_a_warning_event_on_the_canary()
    {
        var events = new ReconcilerHarness.RecordingEvents();
        var alerter = new FixedAlerter(
            new AlertDelivery("on-call", "slack", true, null),
            new AlertDelivery("team", "pagerduty", false, "alert provider team.test error: provider pagerduty not supported (spec.type must be one of slack, discord, rocket, msteams, gchat)"),
            new AlertDelivery("chat", "slack", false, "alert provider chat.test secretRef error: secret \"missing\" not found"));
        var notifier = new CanaryNotifier(events, new NoEventWebhook(), alerter, NullLogger<CanaryNotifier>.Instance);
        var canary = ReconcilerHarness.BlueGreenCanary();
        var step = new StepContext(canary, CanaryDefaults.Resolve(canary), null, false, false, DateTimeOffset.UnixEpoch, 0, null!, null!);

        await notifier.AlertAsync(step, AlertSeverity.Error, "Canary failed", false, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                ("podinfo", "Warning", "alert team not delivered: alert provider team.test error: provider pagerduty not supported (spec.type must be one of slack, discord, rocket, msteams, gchat)"),
                ("podinfo", "Warning", "alert chat not delivered: alert provider chat.test secretRef error: secret \"missing\" not found"),
            ],
            events.Recorded);
    }

    private sealed class FixedAlerter(params AlertDelivery[] deliveries) : IAlerter
    {
        public Task<IReadOnlyList<AlertDelivery>> AlertAsync(Canary canary, string message, bool includeMetadata, AlertSeverity severity, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AlertDelivery>>(deliveries);
    }

    private sealed class NoEventWebhook : IEventWebhook
    {
        public Task<IReadOnlyList<WebhookOutcome>> PublishAsync(Canary canary, string eventType, string message, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WebhookOutcome>>([]);
    }
}
