using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flagger.Simulator.Store.Cel;

/// <summary>A runtime error of a rule (no such key, wrong operand types), reported as the API server reports it.</summary>
internal sealed class CelRuntimeException(string message) : Exception(message);

/// <summary>
/// Evaluates <c>x-kubernetes-validations</c> rules against the JSON value they sit on (<c>self</c>), after defaults.
/// Values are <c>string</c>, <c>long</c>, <c>double</c>, <c>bool</c>, <c>null</c>, <see cref="JsonObject"/> and <see cref="JsonArray"/>.
/// </summary>
internal static class CelEvaluator
{
    private static readonly ConcurrentDictionary<string, CelNode> Parsed = new();

    /// <summary>True when the rule holds; throws <see cref="CelRuntimeException"/> or <see cref="CelUnsupportedException"/>.</summary>
    public static bool Holds(string rule, JsonNode? self)
    {
        var node = Parsed.GetOrAdd(rule, CelParser.Parse);
        return Eval(node, From(self)) is bool b ? b : throw new CelRuntimeException("rule did not evaluate to a bool");
    }

    private static object? From(JsonNode? node) => node switch
    {
        null => null,
        // (object) keeps the inner switch from being target-typed to JsonNode, which would re-wrap every scalar.
        JsonObject or JsonArray => (object)node,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => (object?)(string?)v,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number => v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    private static object? Eval(CelNode node, object? self) => node switch
    {
        CelLiteral l => l.Value,
        CelIdent { Name: "self" } => self,
        CelIdent i => throw new CelUnsupportedException($"undeclared reference to '{i.Name}'"),
        CelSelect s => Select(Eval(s.Target, self), s.Field),
        CelIndex ix => Index(Eval(ix.Target, self), Eval(ix.Key, self)),
        CelList list => new JsonArray([.. list.Items.Select(item => ToJson(Eval(item, self)))]),
        CelUnary { Op: "!" } u => !AsBool(Eval(u.Operand, self)),
        CelUnary u => Eval(u.Operand, self) switch
        {
            long n => (object)(-n),
            double d => -d,
            _ => throw new CelRuntimeException("no such overload for -"),
        },
        CelConditional c => AsBool(Eval(c.Condition, self)) ? Eval(c.Then, self) : Eval(c.Else, self),
        CelBinary { Op: "&&" } b => AsBool(Eval(b.Left, self)) && AsBool(Eval(b.Right, self)),
        CelBinary { Op: "||" } b => AsBool(Eval(b.Left, self)) || AsBool(Eval(b.Right, self)),
        CelBinary b => Binary(b.Op, Eval(b.Left, self), Eval(b.Right, self)),
        CelCall call => Call(call, self),
        _ => throw new CelUnsupportedException("unsupported expression"),
    };

    private static object? Select(object? target, string field) => target switch
    {
        JsonObject obj when obj.TryGetPropertyValue(field, out var value) => From(value),
        JsonObject => throw new CelRuntimeException($"no such key: {field}"),
        _ => throw new CelRuntimeException($"no such key: {field}"),
    };

    private static object? Index(object? target, object? key) => (target, key) switch
    {
        (JsonArray list, long i) when i >= 0 && i < list.Count => From(list[(int)i]),
        (JsonArray, long i) => throw new CelRuntimeException($"index out of bounds: {i}"),
        (JsonObject obj, string k) => Select(obj, k),
        _ => throw new CelRuntimeException("no such overload for []"),
    };

    private static object? Call(CelCall call, object? self)
    {
        if (call is { Target: null, Function: "has" })
        {
            // has(x.f) is a macro: presence of the field, not its value.
            if (call.Args is not [CelSelect select])
            {
                throw new CelUnsupportedException("invalid argument to has() macro");
            }

            return Eval(select.Target, self) is JsonObject obj && obj.ContainsKey(select.Field);
        }

        var target = call.Target is null ? null : Eval(call.Target, self);
        var args = call.Args.Select(a => Eval(a, self)).ToList();
        return (call.Function, target, args) switch
        {
            ("size", null, [var x]) when call.Target is null => Size(x),
            ("size", var x, []) => Size(x),
            ("startsWith", string s, [string p]) => s.StartsWith(p, StringComparison.Ordinal),
            ("endsWith", string s, [string p]) => s.EndsWith(p, StringComparison.Ordinal),
            ("contains", string s, [string p]) => s.Contains(p, StringComparison.Ordinal),
            ("matches", string s, [string p]) => Regex.IsMatch(s, p, RegexOptions.None, TimeSpan.FromSeconds(1)),
            ("int", null, [string s]) => long.Parse(s, CultureInfo.InvariantCulture),
            ("string", null, [var x]) => Convert.ToString(x, CultureInfo.InvariantCulture),
            _ => throw new CelUnsupportedException($"found no matching overload for '{call.Function}'"),
        };
    }

    private static long Size(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => throw new CelRuntimeException("no such overload for size"),
    };

    private static object? Binary(string op, object? left, object? right) => op switch
    {
        "==" => Equal(left, right),
        "!=" => !Equal(left, right),
        "in" => right switch
        {
            JsonArray list => list.Any(item => Equal(From(item), left)),
            JsonObject map when left is string key => map.ContainsKey(key),
            _ => throw new CelRuntimeException("no such overload for in"),
        },
        "<" or "<=" or ">" or ">=" => Compare(op, left, right),
        _ => Arithmetic(op, left, right),
    };

    private static bool Compare(string op, object? left, object? right)
    {
        var order = (left, right) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (long a, long b) => a.CompareTo(b),
            (long or double, long or double) => Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture)),
            _ => throw new CelRuntimeException($"no such overload for {op}"),
        };
        return op switch { "<" => order < 0, "<=" => order <= 0, ">" => order > 0, _ => order >= 0 };
    }

    private static object Arithmetic(string op, object? left, object? right) => (op, left, right) switch
    {
        ("+", string a, string b) => a + b,
        ("+", JsonArray a, JsonArray b) => new JsonArray([.. a.Select(n => n?.DeepClone()), .. b.Select(n => n?.DeepClone())]),
        ("+", long a, long b) => a + b,
        ("-", long a, long b) => a - b,
        ("*", long a, long b) => a * b,
        ("/", long a, long b) => b == 0 ? throw new CelRuntimeException("division by zero") : a / b,
        ("%", long a, long b) => b == 0 ? throw new CelRuntimeException("modulus by zero") : a % b,
        (_, double or long, double or long) => Double(op, Convert.ToDouble(left, CultureInfo.InvariantCulture), Convert.ToDouble(right, CultureInfo.InvariantCulture)),
        _ => throw new CelRuntimeException($"no such overload for {op}"),
    };

    private static double Double(string op, double a, double b) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        _ => throw new CelRuntimeException($"no such overload for {op}"),
    };

    private static bool Equal(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (JsonNode a, JsonNode b) => JsonNode.DeepEquals(a, b),
        _ => Equals(left, right),
    };

    private static bool AsBool(object? value) => value as bool? ?? throw new CelRuntimeException("no matching overload: expected a bool");

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        _ => throw new CelRuntimeException("unsupported value"),
    };
}
