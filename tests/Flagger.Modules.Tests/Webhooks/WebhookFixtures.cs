using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Tests.TestDoubles;
using Flagger.Modules.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flagger.Modules.Tests.Webhooks;

internal static class WebhookFixtures
{
    public static Canary Canary(params CanaryWebhook[] hooks) => new()
    {
        Metadata = new() { Name = "podinfo", NamespaceProperty = "test" },
        Spec = new CanarySpec
        {
            TargetRef = new LocalObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "podinfo" },
            Analysis = new CanaryAnalysis { Webhooks = [.. hooks] },
        },
        Status = new CanaryStatus { Phase = "Progressing", LastAppliedSpec = "5d4f8b9c7", TrackedConfigs = new() { ["configmap/podinfo"] = "a1b2c3d4" } },
    };

    public static HttpWebhookRunner Runner(TimeProvider? time = null) =>
        new(new WebhookHttpClients(), time ?? new RecordingTimeProvider(), NullLogger<HttpWebhookRunner>.Instance);
}
