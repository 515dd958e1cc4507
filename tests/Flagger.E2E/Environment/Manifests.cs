namespace Flagger.E2E.Environment;

/// <summary>Manifests of the k3s backend's infrastructure (Prometheus scraping Envoy sidecars, the loadtester).</summary>
internal static class Manifests
{
    /// <summary>
    /// Prometheus (scraping every Istio sidecar's <c>/stats/prometheus</c> as Istio's addon does) and upstream's
    /// loadtester (as <c>kustomize/tester</c>), both on NodePorts the k3s container publishes to the host.
    /// </summary>
    public static string Infrastructure(int prometheusNodePort, int loadTesterNodePort) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: flagger-system
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: prometheus
          namespace: flagger-system
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: flagger-e2e-prometheus
        rules:
          - apiGroups: [""]
            resources: [nodes, nodes/proxy, services, endpoints, pods]
            verbs: [get, list, watch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: flagger-e2e-prometheus
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: flagger-e2e-prometheus
        subjects:
          - kind: ServiceAccount
            name: prometheus
            namespace: flagger-system
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: prometheus
          namespace: flagger-system
        data:
          prometheus.yml: |
            global:
              scrape_interval: 5s
            scrape_configs:
              - job_name: envoy-stats
                metrics_path: /stats/prometheus
                kubernetes_sd_configs:
                  - role: pod
                relabel_configs:
                  - source_labels: [__meta_kubernetes_pod_container_port_name]
                    action: keep
                    regex: '.*-envoy-prom'
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: prometheus
          namespace: flagger-system
        spec:
          replicas: 1
          selector:
            matchLabels: {app: prometheus}
          template:
            metadata:
              labels: {app: prometheus}
            spec:
              serviceAccountName: prometheus
              containers:
                - name: prometheus
                  image: {{K3sBackend.PrometheusImage}}
                  args: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=2h"]
                  ports: [{containerPort: 9090}]
                  volumeMounts: [{name: config, mountPath: /etc/prometheus}]
              volumes:
                - name: config
                  configMap: {name: prometheus}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: prometheus
          namespace: flagger-system
        spec:
          type: NodePort
          selector: {app: prometheus}
          ports: [{port: 9090, targetPort: 9090, nodePort: {{prometheusNodePort}}}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: flagger-loadtester
          namespace: flagger-system
        spec:
          replicas: 1
          selector:
            matchLabels: {app: flagger-loadtester}
          template:
            metadata:
              labels: {app: flagger-loadtester}
            spec:
              containers:
                - name: loadtester
                  image: {{K3sBackend.LoadTesterImage}}
                  command: ["./loadtester", "-port=8080", "-log-level=info", "-timeout=1h"]
                  ports: [{containerPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: flagger-loadtester
          namespace: flagger-system
        spec:
          type: NodePort
          selector: {app: flagger-loadtester}
          ports: [{port: 80, targetPort: 8080, nodePort: {{loadTesterNodePort}}}]
        """;
}
