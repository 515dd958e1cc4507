using System.Text;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>
/// Secure defaults: credentials reach the operator only through Secrets (AlertProvider and MetricTemplate
/// <c>secretRef</c>), are used, and never show up in what the operator writes or exposes.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class SecretHygieneTests
{
    private const string Ns = "test";

    [Fact]
    public async Task Slack_token_prometheus_bearer_token_and_basic_auth_are_used_but_never_appear_in_logs_events_status_or_metrics()
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        var slackToken = $"xoxb-slack-token-{unique}";
        var bearerToken = $"prom-bearer-token-{unique}";
        var basicUser = $"prom-user-{unique}";
        var basicPassword = $"prom-password-{unique}";
        var wrongPassword = $"prom-wrong-password-{unique}";
        var hookPath = $"services/T000/B000/hook-{unique}"; // an incoming-webhook URL is a credential too
        var basicHeader = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicUser}:{basicPassword}"));
        var wrongHeader = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicUser}:{wrongPassword}"));
        var slackCalls = 0;
        // the first Slack post fails, so the delivery error path is exercised too
        using var slack = new LocalServer(_ => Interlocked.Increment(ref slackCalls) == 1 ? (500, "slack is down") : (200, "ok"));
        using var prometheus = new LocalServer(request =>
            request.Authorization == $"Bearer {bearerToken}" || request.Authorization == basicHeader
                ? (200, """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}""")
                : (401, """{"status":"error","errorType":"unauthorized","error":"bad credentials"}"""));
        await using var harness = await OperatorHarness.StartAsync(installCrds: true, Ns);
        harness.Apply(OperatorHarness.Deployment(Ns, "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply(OperatorHarness.Deployment(Ns, "denied", "ghcr.io/stefanprodan/podinfo:6.0.0"));
        harness.Apply($"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: slack-credentials
              namespace: {Ns}
            stringData:
              address: {slack.Url}{hookPath}
              token: {slackToken}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: prom-bearer
              namespace: {Ns}
            stringData:
              token: {bearerToken}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: prom-basic
              namespace: {Ns}
            stringData:
              username: {basicUser}
              password: {basicPassword}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: prom-wrong
              namespace: {Ns}
            stringData:
              username: {basicUser}
              password: {wrongPassword}
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: with-wrong-password
              namespace: {Ns}
            spec:
              provider:
                type: prometheus
                address: {prometheus.Url.TrimEnd('/')}
                secretRef:
                  name: prom-wrong
              query: sum(up)
            ---
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: denied
              namespace: {Ns}
            spec:
              targetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: denied
              progressDeadlineSeconds: 60
              service:
                port: 9898
              analysis:
                interval: 1s
                threshold: 2
                maxWeight: 20
                stepWeight: 10
                metrics:
                  - name: wrong
                    templateRef:
                      name: with-wrong-password
                    thresholdRange:
                      max: 100
                alerts:
                  - name: deployments
                    severity: info
                    providerRef:
                      name: slack
            ---
            apiVersion: flagger.app/v1beta1
            kind: AlertProvider
            metadata:
              name: slack
              namespace: {Ns}
            spec:
              type: slack
              channel: deployments
              secretRef:
                name: slack-credentials
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: with-bearer
              namespace: {Ns}
            spec:
              provider:
                type: prometheus
                address: {prometheus.Url.TrimEnd('/')}
                secretRef:
                  name: prom-bearer
              query: sum(up)
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata:
              name: with-basic-auth
              namespace: {Ns}
            spec:
              provider:
                type: prometheus
                address: {prometheus.Url.TrimEnd('/')}
                secretRef:
                  name: prom-basic
              query: sum(up)
            ---
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: podinfo
              namespace: {Ns}
            spec:
              targetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: podinfo
              progressDeadlineSeconds: 60
              service:
                port: 9898
              analysis:
                interval: 1s
                threshold: 2
                maxWeight: 20
                stepWeight: 10
                metrics:
                  - name: bearer
                    templateRef:
                      name: with-bearer
                    thresholdRange:
                      max: 100
                  - name: basic
                    templateRef:
                      name: with-basic-auth
                    thresholdRange:
                      max: 100
                alerts:
                  - name: deployments
                    severity: info
                    providerRef:
                      name: slack
            """);

        await harness.StartOperatorAsync([.. harness.TestFlags(logLevel: "debug"), "-mesh-provider=istio"]);
        await harness.WaitForPhaseAsync(Ns, "podinfo", CanaryPhase.Initialized);
        await harness.WaitForPhaseAsync(Ns, "denied", CanaryPhase.Initialized);
        await harness.SetImageAsync(Ns, "podinfo", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.SetImageAsync(Ns, "denied", "ghcr.io/stefanprodan/podinfo:6.0.1");
        await harness.WaitForPhaseAsync(Ns, "podinfo", CanaryPhase.Succeeded);
        await harness.WaitForPhaseAsync(Ns, "denied", CanaryPhase.Failed);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync(new Uri(harness.OperatorUrl!, "/metrics"), TestContext.Current.CancellationToken);
        var events = await harness.EventsJsonAsync(Ns);
        var canary = (await harness.CanaryJsonAsync(Ns, "podinfo"))!.ToJsonString() + (await harness.CanaryJsonAsync(Ns, "denied"))!.ToJsonString();
        await harness.StopOperatorAsync();
        var logs = harness.Logs.AllText;

        // the credentials were really used: every Prometheus query authenticated, Slack got the token
        Assert.Contains(prometheus.Received, r => r.Authorization == $"Bearer {bearerToken}");
        Assert.Contains(prometheus.Received, r => r.Authorization == basicHeader);
        Assert.Contains(prometheus.Received, r => r.Authorization == wrongHeader);
        Assert.DoesNotContain(prometheus.Received, r => r.Authorization != $"Bearer {bearerToken}" && r.Authorization != basicHeader && r.Authorization != wrongHeader);
        Assert.Contains(slack.Received, r => r.Authorization == $"Bearer {slackToken}" && r.PathAndQuery == "/" + hookPath);
        Assert.True(slackCalls > 1);
        Assert.Contains("Rolling back denied.test failed checks threshold reached 2", events, StringComparison.Ordinal);
        Assert.Contains("flagger_canary_metric_analysis", metrics, StringComparison.Ordinal);
        Assert.Contains("Promotion completed", events, StringComparison.Ordinal);
        Assert.Contains("Succeeded", canary, StringComparison.Ordinal);
        Assert.Contains("slack is down", logs, StringComparison.Ordinal); // the failed delivery was logged (error path covered)
        Assert.Contains("401", logs, StringComparison.Ordinal); // so was the refused query
        // ... and appear nowhere the operator writes or exposes
        foreach (var secret in new[] { slackToken, hookPath, bearerToken, basicUser, basicPassword, basicHeader["Basic ".Length..], wrongPassword, wrongHeader["Basic ".Length..] })
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"a secret value is in the operator's logs: {Around(logs, secret)}");
            Assert.False(events.Contains(secret, StringComparison.Ordinal), $"a secret value is in an Event: {Around(events, secret)}");
            Assert.False(canary.Contains(secret, StringComparison.Ordinal), $"a secret value is in the Canary: {Around(canary, secret)}");
            Assert.False(metrics.Contains(secret, StringComparison.Ordinal), $"a secret value is in /metrics: {Around(metrics, secret)}");
        }
    }

    private static string Around(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        var start = Math.Max(0, at - 200);
        return text[start..Math.Min(text.Length, at + secret.Length + 100)].Replace(secret, "<SECRET>", StringComparison.Ordinal);
    }
}
