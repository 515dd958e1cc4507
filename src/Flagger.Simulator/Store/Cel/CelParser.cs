using System.Globalization;
using System.Text;

namespace Flagger.Simulator.Store.Cel;

/// <summary>A CEL expression node (the subset <c>x-kubernetes-validations</c> rules of the CRDs we serve use).</summary>
internal abstract record CelNode;

internal sealed record CelLiteral(object? Value) : CelNode;

internal sealed record CelIdent(string Name) : CelNode;

internal sealed record CelSelect(CelNode Target, string Field) : CelNode;

internal sealed record CelIndex(CelNode Target, CelNode Key) : CelNode;

internal sealed record CelCall(CelNode? Target, string Function, IReadOnlyList<CelNode> Args) : CelNode;

internal sealed record CelUnary(string Op, CelNode Operand) : CelNode;

internal sealed record CelBinary(string Op, CelNode Left, CelNode Right) : CelNode;

internal sealed record CelConditional(CelNode Condition, CelNode Then, CelNode Else) : CelNode;

internal sealed record CelList(IReadOnlyList<CelNode> Items) : CelNode;

/// <summary>A rule outside the subset this simulator evaluates, or a syntax error in it.</summary>
internal sealed class CelUnsupportedException(string message) : Exception(message);

/// <summary>
/// Recursive-descent parser for a CEL subset: literals, <c>self</c>/<c>oldSelf</c>, field selection, indexing,
/// <c>! - * / % + - &lt; &lt;= &gt; &gt;= == != in &amp;&amp; || ?:</c>, lists, <c>has()</c>, <c>size()</c> and string methods.
/// </summary>
internal sealed class CelParser
{
    private static readonly string[] Symbols = ["&&", "||", "==", "!=", "<=", ">=", "?", ":", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[", "]", ".", ","];

    private readonly List<string> tokens;
    private int position;

    private CelParser(List<string> tokens) => this.tokens = tokens;

    public static CelNode Parse(string expression)
    {
        var parser = new CelParser(Tokenize(expression));
        var node = parser.Conditional();
        return parser.position == parser.tokens.Count ? node : throw new CelUnsupportedException($"unexpected '{parser.tokens[parser.position]}'");
    }

    private string? Peek => position < tokens.Count ? tokens[position] : null;

    private bool Accept(string token)
    {
        if (Peek != token)
        {
            return false;
        }

        position++;
        return true;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new CelUnsupportedException($"expected '{token}' but found '{Peek ?? "end of expression"}'");
        }
    }

    private CelNode Conditional()
    {
        var condition = Binary(0);
        if (!Accept("?"))
        {
            return condition;
        }

        var then = Conditional();
        Expect(":");
        return new CelConditional(condition, then, Conditional());
    }

    private static readonly string[][] Levels = [["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"]];

    private CelNode Binary(int level)
    {
        if (level == Levels.Length)
        {
            return Unary();
        }

        var left = Binary(level + 1);
        while (Peek is { } op && Levels[level].Contains(op))
        {
            position++;
            left = new CelBinary(op, left, Binary(level + 1));
        }

        return left;
    }

    private CelNode Unary() =>
        Accept("!") ? new CelUnary("!", Unary()) : Accept("-") ? new CelUnary("-", Unary()) : Postfix(Primary());

    private CelNode Postfix(CelNode node)
    {
        while (true)
        {
            if (Accept("."))
            {
                var name = Identifier();
                node = Accept("(") ? new CelCall(node, name, Arguments(")")) : new CelSelect(node, name);
            }
            else if (Accept("["))
            {
                var key = Conditional();
                Expect("]");
                node = new CelIndex(node, key);
            }
            else
            {
                return node;
            }
        }
    }

    private CelNode Primary()
    {
        var token = Peek ?? throw new CelUnsupportedException("unexpected end of expression");
        position++;
        switch (token)
        {
            case "(":
                var inner = Conditional();
                Expect(")");
                return inner;
            case "[":
                return new CelList(Arguments("]"));
            case "true" or "false":
                return new CelLiteral(token == "true");
            case "null":
                return new CelLiteral(null);
        }

        if (token[0] is '"' or '\'')
        {
            return new CelLiteral(token[1..]);
        }

        if (char.IsDigit(token[0]))
        {
            // Boxed separately: a conditional of double and long would widen every integer to double.
            return token.Contains('.') || token.Contains('e')
                ? new CelLiteral(double.Parse(token, CultureInfo.InvariantCulture))
                : new CelLiteral(long.Parse(token.TrimEnd('u'), CultureInfo.InvariantCulture));
        }

        if (!IsIdentifier(token))
        {
            throw new CelUnsupportedException($"unexpected '{token}'");
        }

        return Accept("(") ? new CelCall(null, token, Arguments(")")) : new CelIdent(token);
    }

    private List<CelNode> Arguments(string close)
    {
        var args = new List<CelNode>();
        if (Accept(close))
        {
            return args;
        }

        do
        {
            args.Add(Conditional());
        }
        while (Accept(","));
        Expect(close);
        return args;
    }

    private string Identifier()
    {
        var token = Peek;
        if (token is null || !IsIdentifier(token))
        {
            throw new CelUnsupportedException($"expected a field name but found '{token ?? "end of expression"}'");
        }

        position++;
        return token;
    }

    private static bool IsIdentifier(string token) => (char.IsLetter(token[0]) || token[0] == '_') && token.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>Tokens; a string literal is returned as its quote character followed by its unescaped text.</summary>
    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'')
            {
                i = ReadString(text, i, tokens);
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' || (text[i] == '.' && char.IsDigit(text[start]) && i + 1 < text.Length && char.IsDigit(text[i + 1]))))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                    ?? throw new CelUnsupportedException($"unexpected character '{c}'");
                tokens.Add(symbol);
                i += symbol.Length;
            }
        }

        return tokens;
    }

    private static int ReadString(string text, int start, List<string> tokens)
    {
        var quote = text[start];
        var value = new StringBuilder().Append(quote);
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
            }
            else
            {
                value.Append(text[i]);
            }

            i++;
        }

        if (i >= text.Length)
        {
            throw new CelUnsupportedException("unterminated string literal");
        }

        tokens.Add(value.ToString());
        return i + 1;
    }
}
