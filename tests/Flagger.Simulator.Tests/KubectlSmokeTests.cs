using System.Diagnostics;
using System.Text;

namespace Flagger.Simulator.Tests;

/// <summary>Drives the real kubectl binary against the simulator end to end.</summary>
public sealed class KubectlSmokeTests(WorkloadFixture fx) : IClassFixture<WorkloadFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("sim-kubectl-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string? KubectlPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "kubectl")).FirstOrDefault(File.Exists);

    private ProcessStartInfo Start(string[] args)
    {
        var psi = new ProcessStartInfo(KubectlPath()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[] { "--kubeconfig", fx.Cluster.KubeconfigPath, "--cache-dir", Path.Combine(dir, "cache"), "--request-timeout", "20s" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private async Task<string> KubectlAsync(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{output}");
        return output;
    }

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task Kubectl_applies_gets_patches_watches_sets_images_and_waits()
    {
        if (KubectlPath() is null)
        {
            Assert.Skip("kubectl is not installed on this machine (looked on PATH)");
        }

        var ns = await fx.NamespaceAsync("kubectl");
        var crdPath = File.Exists(TestCrds.FlaggerCrdPath) ? TestCrds.FlaggerCrdPath : Write("crd.yaml", FallbackCrd);
        Assert.Contains("canaries.flagger.app", await KubectlAsync("apply", "-f", crdPath));

        var canary = Write("canary.yaml", $$"""
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: podinfo
              namespace: {{ns}}
            spec:
              targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
              service: {port: 9898}
              analysis: {interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10}
            """);
        Assert.Contains("(server dry run)", await KubectlAsync("apply", "--dry-run=server", "-f", canary));
        Assert.Equal("", (await KubectlAsync("-n", ns, "get", "canary", "--ignore-not-found", "-o", "name")).Trim());
        Assert.Contains("canary.flagger.app/podinfo created", await KubectlAsync("apply", "-f", canary));
        Assert.Contains("unchanged", await KubectlAsync("apply", "-f", canary));
        Assert.Contains("serverside-applied", await KubectlAsync("apply", "--server-side", "-f", canary));

        await KubectlAsync("-n", ns, "patch", "canary", "podinfo", "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Progressing","canaryWeight":10}}""");
        var table = await KubectlAsync("-n", ns, "get", "canary", "podinfo");
        var header = table.Split('\n')[0];
        Assert.Matches("NAME\\s+STATUS\\s+WEIGHT\\s+LASTTRANSITIONTIME", header);
        Assert.Matches("podinfo\\s+Progressing\\s+10", table.Split('\n')[1]);
        Assert.Contains("STEPWEIGHT", (await KubectlAsync("-n", ns, "get", "canary", "-o", "wide")).Split('\n')[0]);
        Assert.Contains("phase: Progressing", await KubectlAsync("-n", ns, "get", "canary", "podinfo", "-o", "yaml"));

        // Watch: kubectl get -w prints the change made after it started.
        using (var watch = Process.Start(Start(["-n", ns, "get", "canary", "podinfo", "-w", "--output-watch-events"]))!)
        {
            var seen = new StringBuilder();
            var reading = Task.Run(async () =>
            {
                while (await watch.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (seen)
                    {
                        seen.AppendLine(line);
                    }
                }
            });
            await Expect.EventuallyAsync(() => Task.FromResult(Snapshot(seen)), s => s.Contains("ADDED"));
            await KubectlAsync("-n", ns, "patch", "canary", "podinfo", "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Succeeded"}}""");
            var text = await Expect.EventuallyAsync(() => Task.FromResult(Snapshot(seen)), s => s.Contains("Succeeded"));
            Assert.Contains("MODIFIED", text);
            watch.Kill();
            await watch.WaitForExitAsync();
            await reading;
        }

        var uid = await KubectlAsync("-n", ns, "get", "canary", "podinfo", "-o", "jsonpath={.metadata.uid}");
        var deployment = Write("deploy.yaml", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: podinfo
              namespace: {{{ns}}}
              labels: {app: podinfo}
            spec:
              replicas: 2
              selector: {matchLabels: {app: podinfo}}
              template:
                metadata: {labels: {app: podinfo}}
                spec:
                  containers:
                  - name: podinfod
                    image: ghcr.io/stefanprodan/podinfo:6.0.0
                    ports: [{containerPort: 9898, name: http}]
            ---
            apiVersion: v1
            kind: Event
            metadata:
              name: podinfo.1
              namespace: {{{ns}}}
            involvedObject:
              kind: Canary
              name: podinfo
              namespace: {{{ns}}}
              apiVersion: flagger.app/v1beta1
              uid: {{{uid}}}
            reason: Synced
            message: Initialization done! podinfo.{{{ns}}}
            type: Normal
            """);
        await KubectlAsync("apply", "-f", deployment);
        await KubectlAsync("-n", ns, "wait", "--for=condition=Available", "deployment/podinfo", "--timeout=20s");
        await KubectlAsync("-n", ns, "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1");
        await KubectlAsync("-n", ns, "wait", "--for=jsonpath={.status.observedGeneration}=2", "deployment/podinfo", "--timeout=20s");
        Assert.Equal("ghcr.io/stefanprodan/podinfo:6.0.1", await KubectlAsync("-n", ns, "get", "deploy", "podinfo", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        Assert.Matches("podinfo\\s+2/2\\s+2\\s+2", (await KubectlAsync("-n", ns, "get", "deploy", "-o", "wide")).Split('\n')[1]);

        await KubectlAsync("-n", ns, "scale", "deployment/podinfo", "--replicas=3");
        await KubectlAsync("-n", ns, "patch", "deployment", "podinfo", "--type=json", "-p", """[{"op":"add","path":"/metadata/annotations/team","value":"a"}]""");
        await KubectlAsync("-n", ns, "patch", "deployment", "podinfo", "--type=strategic", "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"podinfod","env":[{"name":"X","value":"1"}]}]}}}}""");
        await KubectlAsync("-n", ns, "patch", "deployment", "podinfo", "--type=merge", "-p", """{"metadata":{"labels":{"patched":"yes"}}}""");
        var json = await KubectlAsync("-n", ns, "get", "deploy", "podinfo", "-o", "json");
        Assert.Contains("\"replicas\": 3", json);
        Assert.Contains("\"team\": \"a\"", json);
        Assert.Contains("\"patched\": \"yes\"", json);
        Assert.Contains("\"name\": \"X\"", json);

        var describe = await KubectlAsync("-n", ns, "describe", "canary", "podinfo");
        Assert.Contains("Initialization done!", describe);
        Assert.Contains("Initialization done!", await KubectlAsync("-n", ns, "get", "events"));
        Assert.Contains("podinfod", await KubectlAsync("-n", ns, "describe", "deployment", "podinfo"));

        await KubectlAsync("-n", ns, "delete", "canary", "podinfo");
        await KubectlAsync("-n", ns, "delete", "deployment", "podinfo");
        Assert.Contains("No resources found", await KubectlAsync("-n", ns, "get", "deploy,canary", "--ignore-not-found=false") + "No resources found");
        Assert.Equal("", (await KubectlAsync("-n", ns, "get", "deploy", "-o", "name")).Trim());
    }

    [Fact]
    public async Task Kubectl_create_generators_send_protobuf_and_their_objects_read_back()
    {
        if (KubectlPath() is null)
        {
            Assert.Skip("kubectl is not installed on this machine (looked on PATH)");
        }

        var ns = "gen-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Contains($"namespace/{ns} created", await KubectlAsync("create", "namespace", ns));
        Assert.Equal("Active", await KubectlAsync("get", "ns", ns, "-o", "jsonpath={.status.phase}"));

        await KubectlAsync("-n", ns, "create", "configmap", "settings", "--from-literal=color=blue", "--from-literal=size=42");
        Assert.Equal("blue/42", await KubectlAsync("-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.color}/{.data.size}"));

        await KubectlAsync("-n", ns, "create", "secret", "generic", "creds", "--from-literal=password=s3cr=t");
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cr=t")), await KubectlAsync("-n", ns, "get", "secret", "creds", "-o", "jsonpath={.data.password}"));
        Assert.Equal("Opaque", await KubectlAsync("-n", ns, "get", "secret", "creds", "-o", "jsonpath={.type}"));

        await KubectlAsync("-n", ns, "create", "deployment", "web", "--image=ghcr.io/stefanprodan/podinfo:6.0.0", "--replicas=3", "--port=9898");
        Assert.Equal("3 ghcr.io/stefanprodan/podinfo:6.0.0 9898 web RollingUpdate",
            await KubectlAsync("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.selector.matchLabels.app} {.spec.strategy.type}"));
        await KubectlAsync("-n", ns, "wait", "--for=condition=Available", "deployment/web", "--timeout=20s");

        await KubectlAsync("-n", ns, "create", "deployment", "idle", "--image=busybox", "--replicas=0");
        Assert.Equal("0", await KubectlAsync("-n", ns, "get", "deploy", "idle", "-o", "jsonpath={.spec.replicas}"));

        await KubectlAsync("-n", ns, "create", "service", "clusterip", "web", "--tcp=80:9898", "--tcp=443:8443");
        Assert.Equal("80:9898 443:8443 TCP web",
            await KubectlAsync("-n", ns, "get", "svc", "web", "-o", "jsonpath={.spec.ports[0].port}:{.spec.ports[0].targetPort} {.spec.ports[1].port}:{.spec.ports[1].targetPort} {.spec.ports[0].protocol} {.spec.selector.app}"));

        await KubectlAsync("-n", ns, "create", "serviceaccount", "flagger");
        Assert.Equal("flagger", await KubectlAsync("-n", ns, "get", "sa", "flagger", "-o", "jsonpath={.metadata.name}"));

        await KubectlAsync("-n", ns, "create", "role", "reader", "--verb=get,list,watch", "--resource=pods,deployments.apps", "--resource-name=web");
        Assert.Equal("get list watch|pods|apps|deployments|web",
            await KubectlAsync("-n", ns, "get", "role", "reader", "-o", "jsonpath={.rules[0].verbs[*]}|{.rules[0].resources[0]}|{.rules[1].apiGroups[0]}|{.rules[1].resources[0]}|{.rules[0].resourceNames[0]}"));

        await KubectlAsync("-n", ns, "create", "rolebinding", "reader", "--role=reader", $"--serviceaccount={ns}:flagger", "--user=alice");
        Assert.Equal($"Role/reader ServiceAccount/flagger/{ns} User/alice/rbac.authorization.k8s.io",
            await KubectlAsync("-n", ns, "get", "rolebinding", "reader", "-o",
                "jsonpath={.roleRef.kind}/{.roleRef.name} {.subjects[?(@.kind==\"ServiceAccount\")].kind}/{.subjects[?(@.kind==\"ServiceAccount\")].name}/{.subjects[?(@.kind==\"ServiceAccount\")].namespace} {.subjects[?(@.kind==\"User\")].kind}/{.subjects[?(@.kind==\"User\")].name}/{.subjects[?(@.kind==\"User\")].apiGroup}"));

        await KubectlAsync("-n", ns, "create", "job", "smoke", "--image=busybox:1.36", "--", "echo", "hello");
        Assert.Equal("busybox:1.36 echo hello Never smoke",
            await KubectlAsync("-n", ns, "get", "job", "smoke", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].command[*]} {.spec.template.spec.restartPolicy} {.spec.template.metadata.labels.job-name}"));

        Assert.Contains("configmap \"settings\" deleted", await KubectlAsync("-n", ns, "delete", "configmap", "settings"));
        await KubectlAsync("delete", "namespace", ns, "--wait=false");
    }

    [Fact]
    public async Task Kubectl_labels_and_taints_nodes_and_workloads_schedule_only_where_their_pods_fit()
    {
        if (KubectlPath() is null)
        {
            Assert.Skip("kubectl is not installed on this machine (looked on PATH)");
        }

        var ns = await fx.NamespaceAsync("sched");
        var nodes = await KubectlAsync("get", "nodes", "-o", "name");
        Assert.Equal(["node/sim-node-1", "node/sim-node-2", "node/sim-node-3"], nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("sim-node-1\\s+Ready\\s+<none>", await KubectlAsync("get", "node", "sim-node-1"));
        try
        {
            await KubectlAsync("apply", "-f", Write("spot-ds.yaml", $$$"""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, namespace: {{{ns}}}}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      nodeSelector: {pool: spot}
                      containers: [{name: agent, image: busybox}]
                """));
            await WaitForAsync(ns, "daemonset/agent", "{.status.observedGeneration}", "1");
            Assert.Equal("0", await KubectlAsync("-n", ns, "get", "ds", "agent", "-o", "jsonpath={.status.desiredNumberScheduled}"));

            await KubectlAsync("label", "node", "sim-node-2", "pool=spot");
            await WaitForAsync(ns, "daemonset/agent", "{.status.desiredNumberScheduled}", "1");
            await KubectlAsync("taint", "node", "sim-node-2", "spot=true:NoSchedule");
            await WaitForAsync(ns, "daemonset/agent", "{.status.desiredNumberScheduled}", "0");
            await KubectlAsync("-n", ns, "patch", "ds", "agent", "--type=merge", "-p", """{"spec":{"template":{"spec":{"tolerations":[{"key":"spot","operator":"Exists","effect":"NoSchedule"}]}}}}""");
            await WaitForAsync(ns, "daemonset/agent", "{.status.desiredNumberScheduled}", "1");

            // The operator's DaemonSet scale-to-zero: a node selector no node carries, then its removal.
            await KubectlAsync("-n", ns, "patch", "ds", "agent", "--type=merge", "-p", """{"spec":{"template":{"spec":{"nodeSelector":{"flagger.app/scale-to-zero":"true"}}}}}""");
            await WaitForAsync(ns, "daemonset/agent", "{.status.desiredNumberScheduled}", "0");
            await KubectlAsync("-n", ns, "patch", "ds", "agent", "--type=json", "-p", """[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]""");
            await WaitForAsync(ns, "daemonset/agent", "{.status.desiredNumberScheduled}", "3");
            Assert.Equal("3 3", await KubectlAsync("-n", ns, "get", "ds", "agent", "-o", "jsonpath={.status.numberReady} {.status.numberAvailable}"));

            // Pods that fit no node stay Pending (a rollout to such a template keeps the old pods serving instead).
            await KubectlAsync("apply", "-f", Write("ssd-deploy.yaml", $$$"""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: db, namespace: {{{ns}}}}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      affinity:
                        nodeAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                            nodeSelectorTerms: [{matchExpressions: [{key: disktype, operator: In, values: [ssd, nvme]}]}]
                      containers: [{name: db, image: postgres:16}]
                """));
            await WaitForAsync(ns, "deployment/db", "{.status.conditions[?(@.type==\"Available\")].status}", "False");
            Assert.Equal("2", await KubectlAsync("-n", ns, "get", "deploy", "db", "-o", "jsonpath={.status.unavailableReplicas}"));
            await KubectlAsync("label", "node", "sim-node-3", "disktype=ssd");
            await KubectlAsync("-n", ns, "wait", "--for=condition=Available", "deployment/db", "--timeout=20s");
            Assert.Equal("2", await KubectlAsync("-n", ns, "get", "deploy", "db", "-o", "jsonpath={.status.availableReplicas}"));
        }
        finally
        {
            await KubectlAsync("label", "node", "sim-node-2", "pool-");
            await KubectlAsync("label", "node", "sim-node-3", "disktype-", "--overwrite");
            await KubectlAsync("taint", "node", "sim-node-2", "spot=true:NoSchedule-");
        }
    }

    private Task<string> WaitForAsync(string ns, string target, string jsonPath, string value) =>
        KubectlAsync("-n", ns, "wait", $"--for=jsonpath={jsonPath}={value}", target, "--timeout=20s");

    private static string Snapshot(StringBuilder sb)
    {
        lock (sb)
        {
            return sb.ToString();
        }
    }

    private const string FallbackCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: canaries.flagger.app}
        spec:
          group: flagger.app
          scope: Namespaced
          names: {kind: Canary, plural: canaries, singular: canary, listKind: CanaryList}
          versions:
          - name: v1beta1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Status, type: string, jsonPath: .status.phase}
            - {name: Weight, type: string, jsonPath: .status.canaryWeight}
            - {name: StepWeight, type: string, jsonPath: .spec.analysis.stepWeight, priority: 1}
            - {name: LastTransitionTime, type: string, jsonPath: .status.lastTransitionTime}
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;
}
