using System.Text.Json.Nodes;

namespace Flagger.Simulator.Tests;

/// <summary>Small CRDs written for the tests (Flagger's own shape is read from the shared reference file by path).</summary>
public static class TestCrds
{
    public const string FlaggerCrdPath = "/work/shared/reference/upstream/flagger-crd.yaml";

    /// <summary>A namespaced "Widget" with two served versions, a status subresource, printer columns and schema defaults.</summary>
    public static JsonObject Widget(string group = "sim.test.io") => JsonNode.Parse($$"""
    {
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": { "name": "widgets.{{group}}" },
      "spec": {
        "group": "{{group}}",
        "scope": "Namespaced",
        "names": { "plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"] },
        "versions": [
          {
            "name": "v1beta1", "served": true, "storage": true,
            "subresources": { "status": {} },
            "additionalPrinterColumns": [
              { "name": "Phase", "type": "string", "jsonPath": ".status.phase" },
              { "name": "Size", "type": "integer", "jsonPath": ".spec.size" },
              { "name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status" },
              { "name": "Color", "type": "string", "jsonPath": ".spec.color", "priority": 1 }
            ],
            "schema": { "openAPIV3Schema": {
              "type": "object",
              "properties": {
                "spec": { "type": "object", "properties": {
                  "size": { "type": "integer", "default": 3, "minimum": 0 },
                  "color": { "type": "string", "default": "blue", "enum": ["blue", "red", "green"] },
                  "interval": { "type": "string" },
                  "port": { "x-kubernetes-int-or-string": true },
                  "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                  "analysis": { "type": "object", "properties": { "threshold": { "type": "integer", "default": 5 } } },
                  "free": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
                } },
                "status": { "type": "object", "properties": {
                  "phase": { "type": "string" },
                  "conditions": { "type": "array", "items": { "type": "object", "properties": {
                    "type": { "type": "string" }, "status": { "type": "string" } } } }
                } }
              }
            } }
          },
          { "name": "v1alpha1", "served": true, "storage": false,
            "schema": { "openAPIV3Schema": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } } }
        ]
      }
    }
    """)!.AsObject();

    /// <summary>A cluster-scoped kind without a status subresource.</summary>
    public static JsonObject Gadget(string group = "sim.test.io") => JsonNode.Parse($$"""
    {
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": { "name": "gadgets.{{group}}" },
      "spec": {
        "group": "{{group}}",
        "scope": "Cluster",
        "names": { "plural": "gadgets", "singular": "gadget", "kind": "Gadget" },
        "versions": [ { "name": "v1", "served": true, "storage": true,
          "schema": { "openAPIV3Schema": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } } } ]
      }
    }
    """)!.AsObject();

    public static JsonObject WidgetObject(string name, object? spec = null) => new()
    {
        ["apiVersion"] = "sim.test.io/v1beta1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec is null ? new JsonObject() : Expect.Json(spec),
    };
}
