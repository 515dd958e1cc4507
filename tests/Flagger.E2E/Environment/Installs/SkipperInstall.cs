namespace Flagger.E2E.Environment.Installs;

/// <summary>
/// upstream: test/skipper/install.sh and kustomization.yaml — Skipper v0.13.210's ingress deployment (RBAC, Service,
/// Deployment from zalando/skipper's docs) in kube-system, serving Ingresses v1 with route metrics for Prometheus.
/// </summary>
public static class SkipperInstall
{
    private const string Docs = "https://raw.githubusercontent.com/zalando/skipper/v0.13.210/docs/kubernetes/deploy/deployment/";

    public static ProviderInstall Steps { get; } = new("skipper",
    [
        ["kubectl", "apply", "-f", Docs + "rbac.yaml", "-f", Docs + "service.yaml", "-f", Docs + "deployment.yaml"],
        // upstream's kustomize patch: the e2e image and flags (Ingress v1, route response/serve metrics), no node affinity.
        ["kubectl", "-n", "kube-system", "patch", "deployment", "skipper-ingress", "--type=strategic", "-p",
            """
            {"spec":{"template":{
              "metadata":{"annotations":{"prometheus.io/path":"/metrics","prometheus.io/port":"9911","prometheus.io/scrape":"true"}},
              "spec":{"affinity":null,"nodeSelector":null,"containers":[{"name":"skipper-ingress",
                "image":"registry.opensource.zalan.do/teapot/skipper:v0.13.210","resources":null,
                "args":["skipper","-address=:9999","-kubernetes","-kubernetes-in-cluster","-kubernetes-path-mode=path-prefix",
                  "-kubernetes-ingress-v1","-metrics-flavour=prometheus","-proxy-preserve-host","-route-response-metrics",
                  "-serve-route-metrics","-route-backend-metrics","-histogram-metric-buckets=.01,1,10,100",
                  "-whitelisted-healthcheck-cidr=0.0.0.0/0"]}]}}}}
            """],
        ["kubectl", "-n", "kube-system", "rollout", "status", "deployment/skipper-ingress", "--timeout=5m"],
    ]);
}
