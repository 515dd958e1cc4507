using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Webhooks.Contracts;
using static Flagger.Modules.Tests.Webhooks.WebhookFixtures;

namespace Flagger.Modules.Tests.Webhooks;

public sealed class WebhookTypesTests
{
    [Fact]
    public void Hooks_of_a_type_keep_spec_order_and_an_empty_type_is_rollout()
    {
        var canary = Canary(
            new CanaryWebhook { Name = "load", Url = "http://x/" },
            new CanaryWebhook { Name = "gate", Type = "confirm-rollout", Url = "http://x/" },
            new CanaryWebhook { Name = "acceptance", Type = "rollout", Url = "http://x/" },
            new CanaryWebhook { Name = "pre", Type = "pre-rollout", Url = "http://x/" });

        Assert.Equal(["load", "acceptance"], WebhookTypes.HooksOfType(canary, WebhookTypes.Rollout).Select(h => h.Name));
        Assert.Equal(["gate"], WebhookTypes.HooksOfType(canary, WebhookTypes.ConfirmRollout).Select(h => h.Name));
        Assert.Empty(WebhookTypes.HooksOfType(canary, WebhookTypes.Rollback));
        Assert.Empty(WebhookTypes.HooksOfType(new Canary(), WebhookTypes.Event));
    }
}
