using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using k8s;

namespace Flagger.Modules.Tests.Shared;

public sealed class CanaryRoundTripTests
{
    private const string Yaml = """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: test
        spec:
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          progressDeadlineSeconds: 60
          service:
            port: 9898
            targetPort: http
            gateways:
            - public-gateway.istio-system.svc.cluster.local
            trafficPolicy:
              tls:
                mode: DISABLE
          analysis:
            interval: 15s
            threshold: 15
            maxWeight: 50
            stepWeight: 10
            metrics:
            - name: request-success-rate
              thresholdRange:
                min: 99.5
              interval: 1m
            webhooks:
            - name: load-test
              url: http://flagger-loadtester.test/
              timeout: 5s
              metadata:
                cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"
        """;

    [Fact]
    public void Yaml_round_trips_through_the_typed_model_without_loss()
    {
        var canary = KubernetesYaml.Deserialize<Canary>(Yaml);

        Assert.Equal("podinfo", canary.Spec.TargetRef?.Name);
        Assert.Equal(99.5, canary.Spec.Analysis?.Metrics?[0].ThresholdRange?.Min);
        Assert.Equal("http", canary.Spec.Service?.TargetPort?.Value);

        var original = JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<object>(Yaml)));
        var roundTripped = JsonNode.Parse(KubernetesJson.Serialize(canary));
        Assert.True(JsonNode.DeepEquals(original, roundTripped), roundTripped?.ToJsonString());
    }
}
