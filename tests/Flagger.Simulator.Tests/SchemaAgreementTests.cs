using System.Net;
using System.Text.Json.Nodes;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using k8s;

namespace Flagger.Simulator.Tests;

/// <summary>A simulated cluster holding our CRDs (deploy/crds), as the API server validates custom resources with them.</summary>
public sealed class FlaggerCrdFixture : SimFixture
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string UpstreamObjects => "/work/shared/reference/upstream/objects";

    public static string FixturesDirectory => Path.Combine(RepositoryRoot, "tests", "Flagger.Modules.Tests", "Fixtures");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot, "deploy", "crds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            Cluster.Apply(await File.ReadAllTextAsync(file));
        }

        Cluster.Apply("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"test"}}""");
    }

    /// <summary>POSTs an object as kubectl does (<c>fieldValidation=Strict</c>); returns the status code and message.</summary>
    public async Task<(HttpStatusCode Code, string Message)> CreateAsync(JsonObject obj)
    {
        var ns = (string?)obj["metadata"]?["namespace"] ?? "test";
        var plural = (string?)obj["kind"] switch { "Canary" => "canaries", "MetricTemplate" => "metrictemplates", "AlertProvider" => "alertproviders", var k => throw new InvalidOperationException(k) };
        var apiVersion = (string?)obj["apiVersion"];
        await EnsureNamespaceAsync(ns);
        var (code, body) = await SendAsync(HttpMethod.Post, $"/apis/{apiVersion}/namespaces/{ns}/{plural}?fieldValidation=Strict", obj.ToJsonString());
        if (code == HttpStatusCode.Created)
        {
            await SendAsync(HttpMethod.Delete, $"/apis/{apiVersion}/namespaces/{ns}/{plural}/{(string?)obj["metadata"]?["name"]}");
        }

        return (code, (string?)body?["message"] ?? "");
    }

    private async Task EnsureNamespaceAsync(string ns) =>
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flagger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flagger.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// The simulator validates custom resources with the CRD schema as the API server does (pattern, format, enum, bounds,
/// lengths, item counts, oneOf/not, CEL rules); the operator's CanaryValidator agrees with it on the schema's cases.
/// </summary>
public sealed class SchemaAgreementTests(FlaggerCrdFixture fx) : IClassFixture<FlaggerCrdFixture>
{
    private const string Base = """
        {"apiVersion":"flagger.app/v1beta1","kind":"Canary","metadata":{"name":"web","namespace":"test"},
         "spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"service":{"port":9898},
                 "analysis":{"interval":"1m","threshold":5,"maxWeight":50,"stepWeight":10}}}
        """;

    /// <summary>Cases where the schema and the validator differ by design, each with the reason.</summary>
    private static readonly Dictionary<string, string> KnownDisagreements = new()
    {
        ["interval 1h"] = "the CRD's pattern ^[0-9]+(m|s) rejects hours (upstream's CRD does too); GoDuration accepts 1h, so the operator would run it",
        ["metric interval 5mm"] = "the pattern only anchors the start, so the API server admits 5mm; the validator rejects it as an unparsable duration",
        ["33 gateway refs"] = "maxItems 32 is a schema-only limit (Gateway API's parentRefs bound)",
        ["relative webhook url"] = "format: url is not a format the API server checks; the validator requires an absolute http(s) URL",
    };

    /// <summary>
    /// Broken fixtures whose <c># expect-schema</c> lines come from a JSON Schema check that skips
    /// <c>x-kubernetes-validations</c>, while the API server (and so the simulator) rejects them by the CRD's CEL rule.
    /// </summary>
    private static readonly Dictionary<string, string> CelOnlyRejections = new()
    {
        ["mirror-backend-without-port.yaml"] = "spec.service.mirror[0].backendRef: Invalid value: \"object\": Must have port for Service reference",
    };

    public static TheoryData<string, string, bool> Cases() => new()
    {
        { "base", "{}", true },
        { "interval 30s", """{"analysis":{"interval":"30s"}}""", true },
        { "interval 1m30s", """{"analysis":{"interval":"1m30s"}}""", true },
        { "interval 1h", """{"analysis":{"interval":"1h"}}""", false },
        { "interval soon", """{"analysis":{"interval":"soon"}}""", false },
        { "maxWeight 150", """{"analysis":{"maxWeight":150}}""", false },
        { "stepWeight 101", """{"analysis":{"stepWeight":101}}""", false },
        { "iterations with stepWeight", """{"analysis":{"iterations":10}}""", false },
        { "blue/green iterations", """{"analysis":{"iterations":10,"stepWeight":null,"maxWeight":null}}""", true },
        { "neither iterations nor weights", """{"analysis":{"stepWeight":null}}""", false },
        { "empty stepWeights", """{"analysis":{"stepWeight":null,"stepWeights":[]}}""", false },
        { "stepWeights", """{"analysis":{"stepWeight":null,"stepWeights":[10,20,40]}}""", true },
        { "StatefulSet target", """{"targetRef":{"kind":"StatefulSet"}}""", false },
        { "unversioned gatewayapi provider", """{"provider":"gatewayapi"}""", false },
        { "unknown webhook type", """{"analysis":{"webhooks":[{"name":"a","type":"pre","url":"http://loadtester.test/"}]}}""", false },
        { "relative webhook url", """{"analysis":{"webhooks":[{"name":"a","type":"rollout","url":"loadtester.test/"}]}}""", true },
        { "metric interval 5mm", """{"analysis":{"metrics":[{"name":"request-success-rate","interval":"5mm","thresholdRange":{"min":99}}]}}""", true },
        { "metric interval 1m", """{"analysis":{"metrics":[{"name":"request-success-rate","interval":"1m","thresholdRange":{"min":99}}]}}""", true },
        { "mirror backend without port", """{"service":{"mirror":[{"backendRef":{"name":"shadow"}}]}}""", false },
        { "mirror backend with port", """{"service":{"mirror":[{"backendRef":{"name":"shadow","port":9898}}]}}""", true },
        { "service port 0", """{"service":{"port":0}}""", false },
        { "service port 70000", """{"service":{"port":70000}}""", false },
        { "negative threshold", """{"analysis":{"threshold":-1}}""", false },
        { "unknown alert severity", """{"analysis":{"alerts":[{"name":"a","severity":"fatal","providerRef":{"name":"slack"}}]}}""", false },
        { "33 gateway refs", "{\"provider\":\"gatewayapi:v1\",\"service\":{\"gatewayRefs\":[" + string.Join(",", Enumerable.Range(0, 33).Select(i => $$"""{"name":"gw{{i}}"}""")) + "]}}", false },
    };

    private static JsonObject Canary(string specPatch)
    {
        var canary = JsonNode.Parse(Base)!.AsObject();
        Merge(canary["spec"]!.AsObject(), JsonNode.Parse(specPatch)!.AsObject());
        return canary;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_simulator_and_CanaryValidator_agree_on_the_schema_cases(string name, string specPatch, bool schemaAccepts)
    {
        var canary = Canary(specPatch);
        var (code, message) = await fx.CreateAsync(canary);
        Assert.True((code == HttpStatusCode.Created) == schemaAccepts, $"{name}: the simulator answered {(int)code} {message}");
        if (!schemaAccepts)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        }

        var errors = CanaryValidator.Validate(KubernetesJson.Deserialize<Canary>(canary.ToJsonString()));
        var validatorAccepts = errors.Count == 0;
        if (KnownDisagreements.TryGetValue(name, out var reason))
        {
            Assert.True(validatorAccepts != schemaAccepts, $"{name} now agrees; remove it from the known disagreements ({reason})");
            return;
        }

        Assert.True(validatorAccepts == schemaAccepts, $"{name}: schema {(schemaAccepts ? "accepts" : "rejects: " + message)}, CanaryValidator {(validatorAccepts ? "accepts" : "rejects: " + string.Join("; ", errors))}");
    }

    [Theory]
    [InlineData("""{"analysis":{"interval":"1h"}}""", """Canary "web" is invalid: spec.analysis.interval: Invalid value: "1h": spec.analysis.interval in body should match '^[0-9]+(m|s)'""")]
    [InlineData("""{"analysis":{"maxWeight":150}}""", """Canary "web" is invalid: spec.analysis.maxWeight: Invalid value: 150: spec.analysis.maxWeight in body should be less than or equal to 100""")]
    [InlineData("""{"targetRef":{"kind":"StatefulSet"}}""", "Canary \"web\" is invalid: spec.targetRef.kind: Unsupported value: \"StatefulSet\": supported values: \"DaemonSet\", \"Deployment\", \"Service\"")]
    [InlineData("""{"analysis":{"iterations":10}}""", """Canary "web" is invalid: <nil>: Invalid value: "": "spec.analysis" must validate one and only one schema (oneOf). Found 2 valid alternatives""")]
    [InlineData("""{"service":{"mirror":[{"backendRef":{"name":"shadow"}}]}}""", """Canary "web" is invalid: spec.service.mirror[0].backendRef: Invalid value: "object": Must have port for Service reference""")]
    [InlineData("""{"analysis":{"stepWeight":null,"stepWeights":[]}}""", """Canary "web" is invalid: spec.analysis.stepWeights: Invalid value: 0: spec.analysis.stepWeights in body should have at least 1 items""")]
    public async Task Errors_read_as_the_API_servers(string specPatch, string expected)
    {
        var (code, message) = await fx.CreateAsync(Canary(specPatch));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal(expected, message);
    }

    [Fact]
    public async Task Every_upstream_object_and_valid_fixture_is_accepted()
    {
        var files = Directory.GetFiles(FlaggerCrdFixture.UpstreamObjects, "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(FlaggerCrdFixture.FixturesDirectory, "Valid"), "*.yaml")).ToList();
        Assert.True(files.Count >= 94 + 30, $"only {files.Count} files found");
        var failures = new List<string>();
        foreach (var file in files)
        {
            foreach (var doc in Api.BodyParser.ParseYamlDocuments(await File.ReadAllTextAsync(file)))
            {
                var (code, message) = await fx.CreateAsync(doc);
                if (code != HttpStatusCode.Created)
                {
                    failures.Add($"{Path.GetFileName(file)} {(string?)doc["metadata"]?["name"]}: {(int)code} {message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Broken_fixtures_with_a_schema_expectation_are_rejected_naming_the_field_and_the_others_admitted()
    {
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(FlaggerCrdFixture.FixturesDirectory, "Broken"), "*.yaml"))
        {
            var text = await File.ReadAllTextAsync(file);
            var expected = text.Split('\n').Where(l => l.StartsWith("# expect-schema: ", StringComparison.Ordinal))
                .Select(l => l["# expect-schema: ".Length..].Split(": ")[0].Trim()).ToList();
            if (CelOnlyRejections.TryGetValue(Path.GetFileName(file), out var celField))
            {
                expected.Add(celField);
            }

            var (code, message) = await fx.CreateAsync(Api.BodyParser.ParseYamlDocuments(text)[0]);
            var rejected = code is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest;
            if (rejected != expected.Count > 0 || expected.Any(field => !message.Contains(field, StringComparison.Ordinal)))
            {
                failures.Add($"{Path.GetFileName(file)}: expected {(expected.Count > 0 ? "a rejection naming " + string.Join(", ", expected) : "admission")}, got {(int)code} {message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
