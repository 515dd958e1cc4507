using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Flagger.Simulator.Tests;

/// <summary>A cluster with a tiny watch window so 410 Gone is reachable.</summary>
public sealed class SmallWindowFixture : SimFixture
{
    protected override SimulatorOptions Options => base.Options with { WatchHistory = 5 };
}

public sealed class WatchTests(SmallWindowFixture fx) : IClassFixture<SmallWindowFixture>
{
    private readonly Kubernetes client = fx.Client;

    private static V1ConfigMap ConfigMap(string name, string tier) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["tier"] = tier } },
        Data = new Dictionary<string, string> { ["v"] = "0" },
    };

    /// <summary>Reads events from a watch until <paramref name="count"/> arrived or the bounded wait ends.</summary>
    private static async Task<List<(WatchEventType Type, V1ConfigMap Object)>> CollectAsync(
        IAsyncEnumerable<(WatchEventType, V1ConfigMap)> stream, int count, CancellationTokenSource cts)
    {
        var events = new List<(WatchEventType, V1ConfigMap)>();
        try
        {
            await foreach (var e in stream.WithCancellation(cts.Token))
            {
                events.Add(e);
                if (events.Count >= count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Bounded wait elapsed; the assertion below reports what arrived.
        }

        return events;
    }

    [Fact]
    public async Task A_watch_sees_added_modified_deleted_and_selector_transitions()
    {
        var ns = await fx.NamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "tier=front", resourceVersion: start, cancellationToken: cts.Token);
        var collecting = CollectAsync(stream, 4, cts);

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "front"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("ignored", "back"), ns);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"1\"}}", V1Patch.PatchType.MergePatch), "a", ns);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}", V1Patch.PatchType.MergePatch), "ignored", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);

        var events = await collecting;
        Assert.Equal(
            ["Added:a", "Modified:a", "Added:ignored", "Deleted:a"],
            events.Select(e => $"{e.Type}:{e.Object.Metadata.Name}").ToArray());
        Assert.Equal("1", events[1].Object.Data["v"]);
        var rvs = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion)).ToArray();
        Assert.Equal(rvs.Order(), rvs);
    }

    [Fact]
    public async Task A_watch_resumes_after_a_resourceVersion_and_without_one_starts_with_the_current_objects()
    {
        var ns = await fx.NamespaceAsync();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one", "front"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("two", "front"), ns);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var resumed = await CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: first.Metadata.ResourceVersion, cancellationToken: cts.Token), 1, cts);
        Assert.Equal("Added:two", Assert.Single(resumed.Select(e => $"{e.Type}:{e.Object.Metadata.Name}")));

        using var cts2 = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var fresh = await CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: cts2.Token), 2, cts2);
        Assert.Equal(["one", "two"], fresh.Select(e => e.Object.Metadata.Name).Order().ToArray());
        Assert.All(fresh, e => Assert.Equal(WatchEventType.Added, e.Type));
    }

    [Fact]
    public async Task A_resourceVersion_older_than_the_window_is_410_Gone()
    {
        var ns = await fx.NamespaceAsync();
        var old = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c0", "front"), ns);
        for (var i = 1; i <= 8; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}", "front"), ns);
        }

        Exception? error = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: old.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cts.Token), 1, cts);
        Assert.Empty(events);
        var ke = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, ke.Status.Code);
        Assert.Equal("Expired", ke.Status.Reason);

        var (code, body) = await fx.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={old.Metadata.ResourceVersion}");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("ERROR", (string?)body!["type"]);
        Assert.Equal(410, (int?)body["object"]!["code"]);
    }

    [Fact]
    public async Task Bookmarks_arrive_only_when_allowed_and_carry_the_current_resourceVersion()
    {
        var ns = await fx.NamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", "front"), ns);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/v1/namespaces/{ns}/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion={created.Metadata.ResourceVersion}");
        using var response = await fx.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("BOOKMARK", (string?)e["type"]));
        Assert.True(long.Parse((string)events[^1]["object"]!["metadata"]!["resourceVersion"]!) >= long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal("ConfigMap", (string?)events[0]["object"]!["kind"]);

        using var plain = await fx.Http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1&resourceVersion={created.Metadata.ResourceVersion}");
        Assert.Equal("", (await plain.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_watch_stream_cleanly()
    {
        var ns = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("t", "front"), ns);
        var started = DateTime.UtcNow;
        using var response = await fx.Http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900), "the stream must stay open until the timeout");
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("ADDED", (string?)JsonNode.Parse(line)!["type"]);
    }

    [Fact]
    public async Task A_watch_on_one_object_uses_the_name_field_selector()
    {
        var ns = await fx.NamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x", "front"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("y", "front"), ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = await CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=y", timeoutSeconds: 1, cancellationToken: cts.Token), 5, cts);
        Assert.Equal("y", Assert.Single(events).Object.Metadata.Name);
    }

    [Fact]
    public async Task Custom_resources_are_watchable_across_namespaces_and_watches_end_when_the_CRD_is_deleted()
    {
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(TestCrds.Widget("sim.watch.io").ToJsonString()));
        var ns1 = await fx.NamespaceAsync();
        var ns2 = await fx.NamespaceAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, obj) in client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync("sim.watch.io", "v1beta1", "widgets", cancellationToken: cts.Token))
            {
                lock (seen)
                {
                    seen.Add($"{type}:{(string?)Expect.Json(obj)["metadata"]!["name"]}");
                }
            }
        });
        await Task.Delay(200);
        foreach (var ns in new[] { ns1, ns2 })
        {
            var w = TestCrds.WidgetObject("w-" + ns);
            w["apiVersion"] = "sim.watch.io/v1beta1";
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(w, "sim.watch.io", "v1beta1", ns, "widgets");
        }

        await Expect.EventuallyAsync(() =>
        {
            lock (seen)
            {
                return Task.FromResult(seen.Count);
            }
        }, n => n >= 2);
        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.sim.watch.io");
        await watching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([$"Added:w-{ns1}", $"Added:w-{ns2}"], seen.Take(2).ToArray());
        Assert.False(cts.IsCancellationRequested, "the watch should have ended because the kind went away");
    }
}
