using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Flagger.Modules.Shared.Crd;
using Flagger.Modules.Shared.Crd.Validation;
using Flagger.Modules.Tests.Fixtures;
using k8s;
using k8s.Models;

namespace Flagger.Modules.Tests.Shared;

/// <summary>Our CRD manifests (<c>deploy/crds</c>) against upstream's objects and against our C# types.</summary>
public sealed class CrdManifestTests
{
    [Fact]
    public async Task Crd_manifests_accept_every_upstream_object_according_to_the_shared_crd_validate_tool()
    {
        if (!File.Exists(RepoPaths.CrdValidateTool) || !Directory.Exists(RepoPaths.UpstreamObjects))
        {
            Assert.Skip($"upstream reference data not found under {RepoPaths.UpstreamReference} (set FLAGGER_UPSTREAM_REFERENCE)");
        }

        var probe = await RunAsync("python3", ["-c", "import yaml, jsonschema"]);
        if (probe.ExitCode != 0)
        {
            Assert.Skip($"python3 with the yaml and jsonschema modules is not available: {probe.Output.Trim()}");
        }

        var run = await RunAsync("python3", [RepoPaths.CrdValidateTool, Path.Combine(RepoPaths.Crds, "*.yaml"), RepoPaths.UpstreamObjects]);

        var count = Directory.GetFiles(RepoPaths.UpstreamObjects, "*.yaml").Length;
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"accepted {count}/{count}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Crd_manifests_accept_every_upstream_object_under_our_json_schema_translation()
    {
        var objects = UpstreamObjects();
        var rejected = objects
            .Select(o => (o.File, Errors: CrdSchemas.Repository.Validate(o.Json)))
            .Where(r => r.Errors.Count > 0)
            .Select(r => $"{r.File}: {string.Join("; ", r.Errors.Take(3))}")
            .ToList();

        Assert.True(rejected.Count == 0, string.Join("\n", rejected));
        Assert.True(objects.Count >= 90, $"expected the upstream object set, found {objects.Count}");
    }

    // Upstream objects our validator rejects on purpose: each would also fail in upstream Flagger, only later (at run
    // time, as an event) instead of up front, or uses a feature we have not built yet.
    private static readonly Dictionary<string, string> ExpectedValidatorFindings = new(StringComparer.Ordinal)
    {
        // upstream: pkg/metrics/providers/influxdb.go fails with "influxdb address  is not a valid URL"
        ["069-"] = "spec.provider.address: required for provider influxdb (the URL of its API)",
        // a documentation placeholder; upstream's SignalFx client fails to dial it
        ["072-"] = "spec.provider.address: \"https://api.<REALM>.signalfx.com\" is not an absolute http(s) URL",
    };

    [Fact]
    public void Upstream_objects_pass_CanaryValidator_including_the_keda_canary()
    {
        var kedaCanaries = 0;
        var failures = new List<string>();
        foreach (var (file, json) in UpstreamObjects())
        {
            var errors = (string?)json["kind"] switch
            {
                "Canary" => CanaryValidator.Validate(KubernetesJson.Deserialize<Canary>(json.ToJsonString())),
                "MetricTemplate" => CanaryValidator.Validate(KubernetesJson.Deserialize<MetricTemplate>(json.ToJsonString())),
                "AlertProvider" => CanaryValidator.Validate(KubernetesJson.Deserialize<AlertProvider>(json.ToJsonString())),
                var other => [new ValidationError("kind", $"unexpected {other}")],
            };
            kedaCanaries += (string?)json["spec"]?["autoscalerRef"]?["kind"] == "ScaledObject" ? 1 : 0;
            var expected = ExpectedValidatorFindings.FirstOrDefault(kv => file.StartsWith(kv.Key, StringComparison.Ordinal)).Value;
            var unexpected = errors.Select(e => e.ToString()).Where(e => e != expected).ToList();
            if (unexpected.Count > 0)
            {
                failures.Add($"{file}: {string.Join("; ", unexpected)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(kedaCanaries > 0, "the upstream set has a KEDA canary; it must validate");
    }

    [Fact]
    public void Crd_manifests_declare_every_field_and_enum_value_of_upstreams_crd()
    {
        var upstreamFile = Path.Combine(RepoPaths.UpstreamReference, "reference", "upstream", "flagger-crd.yaml");
        if (!File.Exists(upstreamFile))
        {
            Assert.Skip($"upstream CRD not found at {upstreamFile} (set FLAGGER_UPSTREAM_REFERENCE)");
        }

        var upstreamDir = Directory.CreateTempSubdirectory("flagger-upstream-crd");
        try
        {
            File.Copy(upstreamFile, Path.Combine(upstreamDir.FullName, "crd.yaml"));
            var upstream = CrdSchemas.Load(upstreamDir.FullName);
            var missing = new List<string>();
            foreach (var (apiVersion, kind) in upstream.Kinds)
            {
                var ours = Fields(CrdSchemas.Repository.Structural(apiVersion, kind), kind);
                foreach (var (path, enumValues) in Fields(upstream.Structural(apiVersion, kind), kind))
                {
                    if (!ours.TryGetValue(path, out var ourEnum))
                    {
                        missing.Add($"{path}: missing");
                    }
                    else if (enumValues.Except(ourEnum).ToList() is { Count: > 0 } values)
                    {
                        missing.Add($"{path}: enum lacks {string.Join(", ", values)}");
                    }
                }
            }

            Assert.True(missing.Count == 0, string.Join("\n", missing));
        }
        finally
        {
            upstreamDir.Delete(recursive: true);
        }
    }

    private static Dictionary<string, List<string>> Fields(JsonNode schema, string path)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string at)
        {
            if (node is not JsonObject o)
            {
                return;
            }

            foreach (var (name, child) in o["properties"] as JsonObject ?? [])
            {
                result[$"{at}.{name}"] = [.. (child?["enum"] as JsonArray ?? []).Select(v => (string?)v ?? "")];
                Walk(child, $"{at}.{name}");
            }

            Walk(o["items"], at + "[]");
            Walk(o["additionalProperties"], at + "{}");
        }

        Walk(schema, path);
        return result;
    }

    [Theory]
    [InlineData("canaries.yaml", "Canary", "canaries", "canary")]
    [InlineData("metrictemplates.yaml", "MetricTemplate", "metrictemplates", "metrictemplate")]
    [InlineData("alertproviders.yaml", "AlertProvider", "alertproviders", "alertprovider")]
    public void Crd_manifest_declares_names_scope_category_and_status_subresource_as_upstream(string file, string kind, string plural, string singular)
    {
        var crd = Yaml.ReadDocuments(File.ReadAllText(Path.Combine(RepoPaths.Crds, file))).Single().Json!;
        var spec = crd["spec"]!;

        Assert.Equal($"{plural}.flagger.app", (string?)crd["metadata"]!["name"]);
        Assert.Equal("flagger.app", (string?)spec["group"]);
        Assert.Equal("Namespaced", (string?)spec["scope"]);
        Assert.Equal(kind, (string?)spec["names"]!["kind"]);
        Assert.Equal($"{kind}List", (string?)spec["names"]!["listKind"]);
        Assert.Equal(plural, (string?)spec["names"]!["plural"]);
        Assert.Equal(singular, (string?)spec["names"]!["singular"]);
        Assert.Null(spec["names"]!["shortNames"]);
        Assert.Equal(["all"], spec["names"]!["categories"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("keep", (string?)crd["metadata"]!["annotations"]!["helm.sh/resource-policy"]);
        var version = spec["versions"]!.AsArray().Single()!;
        Assert.Equal("v1beta1", (string?)version["name"]);
        Assert.True((bool)version["served"]! && (bool)version["storage"]!);
        Assert.NotNull(version["subresources"]!["status"]);
    }

    [Fact]
    public void Canary_printer_columns_are_upstreams()
    {
        var crd = Yaml.ReadDocuments(File.ReadAllText(Path.Combine(RepoPaths.Crds, "canaries.yaml"))).Single().Json!;
        var columns = crd["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray()
            .Select(c => $"{c!["name"]}|{c["type"]}|{c["jsonPath"]}|{(long?)c["priority"] ?? 0}");

        Assert.Equal(
            [
                "Status|string|.status.phase|0", "Weight|string|.status.canaryWeight|0", "Suspended|boolean|.spec.suspend|1",
                "FailedChecks|string|.status.failedChecks|1", "Interval|string|.spec.analysis.interval|1",
                "Mirror|boolean|.spec.analysis.mirror|1", "StepWeight|string|.spec.analysis.stepWeight|1",
                "StepWeights|string|.spec.analysis.stepWeights|1", "MaxWeight|string|.spec.analysis.maxWeight|1",
                "LastTransitionTime|string|.status.lastTransitionTime|0",
            ],
            columns);
    }

    [Theory]
    [InlineData("Canary", typeof(Canary))]
    [InlineData("MetricTemplate", typeof(MetricTemplate))]
    [InlineData("AlertProvider", typeof(AlertProvider))]
    public void Every_schema_field_has_a_CSharp_property_with_the_same_json_name_and_type_and_vice_versa(string kind, Type type)
    {
        var schema = CrdSchemas.Repository.Structural(FlaggerApi.GroupVersion, kind);
        var problems = new List<string>();

        Compare(kind, schema, type, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static void Compare(string path, JsonNode schema, Type type, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var schemaType = (string?)schema["type"];
        if (schema["x-kubernetes-int-or-string"] is not null)
        {
            Expect(type == typeof(IntOrString), path, "int-or-string needs IntOrString", type, problems);
            return;
        }

        switch (schemaType)
        {
            case "string":
                Expect(type == typeof(string), path, "string", type, problems);
                return;
            case "boolean":
                Expect(type == typeof(bool), path, "boolean", type, problems);
                return;
            case "integer":
                Expect(type == typeof(int) || type == typeof(long), path, "integer", type, problems);
                return;
            case "number":
                Expect(type == typeof(double), path, "number (float in upstream's Go types)", type, problems);
                return;
            case "array":
                var element = type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(List<>) || d == typeof(IList<>)) ? type.GetGenericArguments()[0] : null;
                if (element is null)
                {
                    problems.Add($"{path}: array needs List<T>, C# has {type.Name}");
                    return;
                }

                Compare(path + "[]", schema["items"]!, element, problems);
                return;
        }

        if (schema["properties"] is JsonObject properties)
        {
            var csharp = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
                .Where(p => p.Name is not null)
                .ToDictionary(p => p.Name!, p => p.Property);
            foreach (var (name, child) in properties)
            {
                if (path.Split('.').Length == 1 && name is "metadata" or "apiVersion" or "kind")
                {
                    continue;
                }

                if (!csharp.TryGetValue(name, out var property))
                {
                    problems.Add($"{path}.{name}: no C# property on {type.Name}");
                    continue;
                }

                Compare($"{path}.{name}", child!, property.PropertyType, problems);
            }

            foreach (var name in csharp.Keys.Where(n => !properties.ContainsKey(n) && n is not ("metadata" or "apiVersion" or "kind") && !SharedTypeSuperset(path, type, n)))
            {
                problems.Add($"{path}.{name}: C# property on {type.Name} is not in the schema");
            }

            return;
        }

        if (schema["additionalProperties"] is JsonObject values)
        {
            var isMap = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string);
            if (!isMap)
            {
                problems.Add($"{path}: map needs Dictionary<string, T>, C# has {type.Name}");
                return;
            }

            Compare(path + "{}", values, type.GetGenericArguments()[1], problems);
        }
    }

    // One C# type serves several schema places, as upstream's Go types do: StringMatch carries suffix (only
    // analysis.match headers allow it), and analysis.match reuses the full Istio HTTPMatchRequest while the CRD exposes
    // only headers, queryParams and sourceLabels there. Every other C# property must exist in the schema.
    private static bool SharedTypeSuperset(string path, Type type, string name) =>
        (type == typeof(StringMatch) && name == "suffix") ||
        (type == typeof(HttpMatchRequest) && path == "Canary.spec.analysis.match[]");

    private static void Expect(bool ok, string path, string schemaType, Type type, List<string> problems)
    {
        if (!ok)
        {
            problems.Add($"{path}: schema says {schemaType}, C# has {type.Name}");
        }
    }

    private static List<(string File, JsonNode Json)> UpstreamObjects()
    {
        if (!Directory.Exists(RepoPaths.UpstreamObjects))
        {
            Assert.Skip($"upstream objects not found at {RepoPaths.UpstreamObjects} (set FLAGGER_UPSTREAM_REFERENCE)");
        }

        return [.. Directory.GetFiles(RepoPaths.UpstreamObjects, "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), Yaml.ReadDocuments(File.ReadAllText(f)).Single().Json!))];
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{file} could not be started: {e.Message}");
        }
    }
}
