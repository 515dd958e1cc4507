namespace Flagger.E2E.Scenarios;

/// <summary>YAML of the Canaries the scenarios apply, close to upstream's <c>test/istio/*.sh</c> manifests.</summary>
internal static class Specs
{
    /// <summary>Requests per second the simulator sends to a canary's apex Service (ignored by a real cluster).</summary>
    public const string Traffic = "simulator.flagger.app/rps: \"40\"";

    /// <summary>A Canary; <paramref name="analysis"/> and <paramref name="extraSpec"/> are YAML indented for their place.</summary>
    public static string Canary(string ns, string name, string analysis, string service = "", string extraSpec = "", string targetKind = "Deployment") => $"""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          targetRef:
            apiVersion: apps/v1
            kind: {targetKind}
            name: {name}
          progressDeadlineSeconds: 60
        {extraSpec}
          service:
            port: 9898
            apex:
              annotations:
                {Traffic}
        {service}
          analysis:
            interval: 1s
        {analysis}
        """;

    /// <summary>The builtin success-rate metric (upstream: request-success-rate, min 99).</summary>
    public const string SuccessRate = """
            metrics:
              - name: request-success-rate
                thresholdRange:
                  min: 99
                interval: 30s
        """;
}
