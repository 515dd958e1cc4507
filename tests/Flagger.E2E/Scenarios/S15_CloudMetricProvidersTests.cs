using System.Text;
using Flagger.E2E.Environment;
using Flagger.Modules.Shared.Crd;

namespace Flagger.E2E.Scenarios;

/// <summary>
/// CloudWatch, Stackdriver and Splunk MetricTemplates (upstream pkg/metrics/providers/{cloudwatch,stackdriver,splunk}.go)
/// judging whole releases against fake services the scenario starts: promoted while the service answers a low error
/// rate, rolled back once it answers a high one.
/// </summary>
public sealed class S15_CloudMetricProvidersTests(E2EEnvironment environment)
{
    private const double Good = 0.5;
    private const double Bad = 5;

    static S15_CloudMetricProvidersTests()
    {
        // The operator runs in this process (simulated backend) and takes AWS credentials from the default chain.
        System.Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", FakeMetricBackends.AwsKey);
        System.Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "e2e-secret");
    }

    [Fact]
    public Task Cloudwatch_promotes_on_good_values_and_rolls_back_on_bad_ones() => RunAsync("cloudwatch", fake => $$$"""
        provider:
            type: cloudwatch
            region: us-east-1
            address: {{{fake.Url}}}
          query: '[{"Id": "e1", "Expression": "m1 / m2 * 100", "Label": "{{ target }} 5xx"}]'
        """, _ => "");

    [Fact]
    public Task Stackdriver_promotes_on_good_values_and_rolls_back_on_bad_ones() => RunAsync("stackdriver", fake => $$$"""
        provider:
            type: stackdriver
            address: {{{fake.Url}}}
            secretRef:
              name: gcp
          query: fetch k8s_container | metric 'istio.io/service/server/request_count' | filter resource.container_name == '{{ target }}'
        """, fake => Secret("gcp", ("project", "e2e-project"), ("serviceAccountKey", fake.ServiceAccountKey)));

    [Fact]
    public Task Splunk_promotes_on_good_values_and_rolls_back_on_bad_ones() => RunAsync("signalfx", fake => $$$"""
        provider:
            type: splunk
            address: {{{fake.Url}}}
            secretRef:
              name: sfx
          query: data('errors', filter=filter('sf_service', '{{ target }}')).mean().publish()
        """, _ => Secret("sfx", ("sf_token_key", FakeMetricBackends.SignalFxToken)));

    private static string Secret(string name, params (string Key, string Value)[] data) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
        data:
        {string.Join("\n", data.Select(d => $"  {d.Key}: {Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value))}"))}
        ---

        """;

    private async Task RunAsync(string service, Func<FakeMetricBackends, string> providerAndQuery, Func<FakeMetricBackends, string> secret)
    {
        if (environment.Backend is not SimulatedBackend)
        {
            Assert.Skip("the fake cloud services listen on this machine's loopback, which only the in-process operator reaches");
            return;
        }

        await using var fake = await FakeMetricBackends.StartAsync();
        fake.Value = Good;
        var ns = await TestNamespace.CreateAsync(environment.Backend, "e2e-" + service);
        var secretYaml = secret(fake).Replace("metadata:\n", $"metadata:\n  namespace: {ns.Name}\n", StringComparison.Ordinal);
        await ns.ApplyAsync(secretYaml + $"""
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: errors
              namespace: {ns.Name}
            spec:
              {providerAndQuery(fake)}
            """);
        await ns.ApplyAsync(ns.Podinfo());
        await ns.ApplyAsync(Specs.Canary(ns.Name, "podinfo", """
                threshold: 2
                maxWeight: 20
                stepWeight: 10
                metrics:
                  - name: errors
                    templateRef:
                      name: errors
                    thresholdRange:
                      max: 1
                    interval: 1m
            """));
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Initialized);

        await ns.SetImageAsync("podinfo", TestNamespace.Image1);
        await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Succeeded, timeoutSeconds: 120);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.True(fake.Accepted.GetValueOrDefault(service) > 0, $"the operator never queried {service}");

        fake.Value = Bad;
        await ns.SetImageAsync("podinfo", TestNamespace.Image2);
        var failed = await ns.WaitForPhaseAsync("podinfo", CanaryPhase.Failed, timeoutSeconds: 120);
        Assert.Equal(TestNamespace.Image1, await ns.ImageOfAsync("podinfo-primary"));
        Assert.Equal(0, failed.Status!.CanaryWeight);
        Assert.Contains($"Halt podinfo.{ns.Name} advancement errors 5.00 > 1", await ns.EventMessagesAsync("podinfo"));
        ns.Report($"15 {service} provider");
    }
}
