using System.Text.Json.Nodes;
using Flagger.Simulator.Store.Cel;

namespace Flagger.Simulator.Tests;

/// <summary>The CEL subset of x-kubernetes-validations rules.</summary>
public sealed class CelEvaluatorTests
{
    private const string ServicePortRule = "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true";

    [Theory]
    [InlineData(ServicePortRule, """{"group":"","kind":"Service","name":"a"}""", false)]
    [InlineData(ServicePortRule, """{"group":"","kind":"Service","name":"a","port":80}""", true)]
    [InlineData(ServicePortRule, """{"group":"x.io","kind":"Backend","name":"a"}""", true)]
    [InlineData("self.min <= self.max && !(self.name in ['a', 'b'])", """{"min":1,"max":2.5,"name":"c"}""", true)]
    [InlineData("self.items.size() < 3 || self.name.startsWith('x')", """{"items":[1,2,3],"name":"xy"}""", true)]
    [InlineData("self.name.matches('^[a-z]+$') && self.count * 2 + 1 == 7 && self.count % 2 == 1", """{"name":"abc","count":3}""", true)]
    [InlineData("self.labels['team'] != \"ops\"", """{"labels":{"team":"ops"}}""", false)]
    public void Rules_evaluate_like_CEL(string rule, string self, bool holds) =>
        Assert.Equal(holds, CelEvaluator.Holds(rule, JsonNode.Parse(self)));

    [Fact]
    public void A_missing_field_is_a_runtime_error_and_an_unknown_function_is_unsupported()
    {
        Assert.Equal("no such key: port", Assert.Throws<CelRuntimeException>(() => CelEvaluator.Holds("self.port > 0", JsonNode.Parse("{}"))).Message);
        Assert.Throws<CelUnsupportedException>(() => CelEvaluator.Holds("self.all(x, x > 0)", JsonNode.Parse("[1]")));
    }
}
