using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flagger.Simulator.Tests;

/// <summary>One simulated cluster per test class, with short delays so tests run in milliseconds.</summary>
public class SimFixture : IAsyncLifetime
{
    private int counter;

    protected virtual SimulatorOptions Options => new()
    {
        WorkloadDelay = TimeSpan.FromMilliseconds(50),
        BookmarkInterval = TimeSpan.FromMilliseconds(200),
        EnableTraffic = false,
        EnableWorkloadController = false,
    };

    public SimulatedCluster Cluster { get; private set; } = null!;

    public Kubernetes Client { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Cluster = await SimulatedCluster.StartAsync(Options);
        Client = new Kubernetes(Cluster.ClientConfiguration());
        Http = new HttpClient { BaseAddress = Cluster.Url, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Cluster.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Client.Dispose();
        await Cluster.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a fresh namespace so tests sharing the cluster do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync(string prefix = "t")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref counter)}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>Sends a raw request; returns the status code and the parsed JSON body (null when not JSON).</summary>
    public async Task<(HttpStatusCode Code, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? body = null,
        string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            parsed = JsonValue.Create(text);
        }

        return (response.StatusCode, parsed);
    }
}

/// <summary>Assertions shared by the tests.</summary>
public static class Expect
{
    /// <summary>Runs a KubernetesClient call that must fail; returns the HTTP code and the Status object the server sent.</summary>
    public static async Task<(int Code, JsonObject Status)> FailsAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException ex)
        {
            var status = JsonNode.Parse(ex.Response.Content)!.AsObject();
            Assert.Equal("Status", (string?)status["kind"]);
            Assert.Equal("Failure", (string?)status["status"]);
            Assert.Equal((int)ex.Response.StatusCode, (int?)status["code"]);
            return ((int)ex.Response.StatusCode, status);
        }

        Assert.Fail("the call was expected to fail with an API error but succeeded");
        return default;
    }

    public static JsonObject Json(object o) => JsonNode.Parse(JsonSerializer.Serialize(o))!.AsObject();

    public static V1Deployment Deployment(string name, int replicas = 1, string image = "ghcr.io/stefanprodan/podinfo:6.0.0",
        IDictionary<string, string>? templateAnnotations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name }, Annotations = templateAnnotations },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "app",
                            Image = image,
                            Ports = [new V1ContainerPort { ContainerPort = 9898, Name = "http" }],
                            Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "B", Value = "2" }],
                        },
                        new V1Container { Name = "sidecar", Image = "busybox:1" },
                    ],
                },
            },
        },
    };

    /// <summary>Polls until <paramref name="condition"/> holds (bounded; a missed condition fails with the last value).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        T value;
        while (true)
        {
            value = await read();
            if (condition(value) || DateTime.UtcNow > until)
            {
                break;
            }

            await Task.Delay(25);
        }

        Assert.True(condition(value), $"condition not reached within {timeoutMs} ms; last value: {JsonSerializer.Serialize(value)}");
        return value;
    }
}
