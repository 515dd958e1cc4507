using System.Text;
using Flagger.Modules.Shared.Json;

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
}
