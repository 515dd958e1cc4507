namespace Flagger.Simulator.Tests.Traffic.Routes;

/// <summary>Ingress YAML as users and Flagger's NGINX and Skipper routers write them.</summary>
internal static class IngressRoutes
{
    /// <summary>An Ingress of <paramref name="ingressClass"/> with one rule on app.example.com/ and one path per backend.</summary>
    public static string Ingress(string name, string ingressClass, IDictionary<string, string> annotations, params string[] backends) => $$"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {{name}}
          annotations:
            kubernetes.io/ingress.class: {{ingressClass}}
        {{string.Concat(annotations.Select(a => $"    {a.Key}: '{a.Value}'\n"))}}spec:
          rules:
          - host: app.example.com
            http:
              paths:
        {{string.Concat(backends.Select(b => $"      - pathType: Prefix\n        path: /\n        backend:\n          service:\n            name: {b}\n            port:\n              number: 9898\n"))}}
        """;
}
