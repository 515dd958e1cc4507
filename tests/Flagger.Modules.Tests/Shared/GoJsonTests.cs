using System.Text;
using Flagger.Modules.Shared.Json;
using Flagger.Modules.Workloads.Transforms;
using k8s.Models;

namespace Flagger.Modules.Tests.Shared;

public sealed class GoJsonTests
{
    [Fact]
    public void Strings_are_escaped_exactly_like_go_json_marshal()
    {
        var bytes = GoJson.Serialize(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["b"] = "<a href=\"x\">&</a>\u2028\u2029",
            ["a"] = "héllo 🚀 'q' + / \u007f",
            ["c"] = "tab\there\nnew\r\b\f\u001f\u0001 back\\slash",
            ["d"] = "lone \ud83d surrogate",
        });

        Assert.Equal(
            "{\"a\":\"héllo 🚀 'q' + / \u007f\","
            + "\"b\":\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\u2029\","
            + "\"c\":\"tab\\there\\nnew\\r\\b\\f\\u001f\\u0001 back\\\\slash\","
            + "\"d\":\"lone \ufffd surrogate\"}", // STJ replaces a lone surrogate with U+FFFD, which Go writes raw
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Structure_outside_strings_is_compact_and_unchanged() =>
        Assert.Equal("{\"n\":1.5,\"b\":true,\"z\":null,\"l\":[\"x\",{}]}", Encoding.UTF8.GetString(GoJson.Serialize(new { n = 1.5, b = true, z = (string?)null, l = new object[] { "x", new { } } })));

    [Fact]
    public void Config_map_data_marshals_like_go_with_sorted_utf8_keys_and_html_escaping()
    {
        var data = new Dictionary<string, string>
        {
            ["😀"] = "y",
            ["z"] = "<a&b>",
            ["é"] = "ü\u2028",
            ["a"] = "line1\nline2\t\"q\"\\",
            ["Ａ"] = "x",
            ["ctl"] = "\u0001\b\f",
        };

        var json = Encoding.UTF8.GetString(GoJson.MarshalMap(data.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))));

        Assert.Equal("{\"a\":\"line1\\nline2\\t\\\"q\\\"\\\\\",\"ctl\":\"\\u0001\\b\\f\",\"z\":\"\\u003ca\\u0026b\\u003e\",\"é\":\"ü\\u2028\",\"Ａ\":\"x\",\"😀\":\"y\"}", json);
        Assert.Equal("1458d9f19795b30a", KubeObjects.ShortSha256(GoJson.MarshalMap(data.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))));
    }

    [Fact]
    public void Checksums_match_upstream_for_plain_nil_and_empty_data_and_secret_bytes()
    {
        Assert.Equal("f234cb93c08ad64e", ConfigTracking.Checksum(new V1ConfigMap { Data = new Dictionary<string, string> { ["color"] = "blue" } }));
        Assert.Equal("74234e98afe7498f", ConfigTracking.Checksum(new V1ConfigMap()));
        Assert.Equal("44136fa355b3678a", ConfigTracking.Checksum(new V1ConfigMap { Data = new Dictionary<string, string>() }));
        Assert.Equal("20ac47d35cb01b2e", ConfigTracking.Checksum(new V1Secret { Data = new Dictionary<string, byte[]> { ["apiKey"] = "my-secret"u8.ToArray() } }));
    }

    [Fact]
    public void Only_configmap_data_is_hashed_not_binary_data()
    {
        var withBinary = new V1ConfigMap
        {
            Data = new Dictionary<string, string> { ["color"] = "blue" },
            BinaryData = new Dictionary<string, byte[]> { ["blob"] = [1, 2, 3] },
        };

        Assert.Equal("f234cb93c08ad64e", ConfigTracking.Checksum(withBinary));
    }
}
