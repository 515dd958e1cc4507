using System.Globalization;
using System.Text;

namespace Flagger.Modules.Analysis.Templates;

/// <summary>A template text that could not be parsed or executed; the message has Go's <c>template: tmpl:line:col:</c> shape.</summary>
internal sealed class TemplateException(string message) : Exception(message);

/// <summary>
/// The subset of Go <c>text/template</c> that metric queries use: text and actions, <c>{{-</c>/<c>-}}</c> trimming,
/// comments, pipelines with <c>|</c>, function calls with arguments, parenthesised pipelines, field chains on maps
/// (<c>variables.key</c>, <c>$v.key</c>), variables (<c>$v := …</c>, <c>$v = …</c>), string/raw-string/number/bool
/// literals, <c>if</c>/<c>else if</c>/<c>else</c>/<c>end</c>, and the builtins <c>printf print println len index not and
/// or eq ne lt le gt ge urlquery</c>. Map lookups follow <c>missingkey=error</c>. <c>range</c>, <c>with</c>,
/// <c>define</c>, <c>template</c>, <c>block</c> are rejected with an error naming the action.
/// </summary>
// upstream: pkg/metrics/observers/render.go (Go text/template with Option("missingkey=error"), data = nil)
internal sealed class GoTemplate
{
    private const string Name = "tmpl";
    private readonly List<Node> _nodes;

    private GoTemplate(List<Node> nodes) => _nodes = nodes;

    /// <summary>Parses <paramref name="text"/>; <paramref name="functions"/> names the callable functions (unknown names fail at parse time, as in Go).</summary>
    public static GoTemplate Parse(string text, IReadOnlySet<string> functions) => new(new Parser(text, functions).ParseAll());

    /// <summary>Executes against the function table (data is nil, as upstream executes with <c>nil</c>).</summary>
    public string Execute(IReadOnlyDictionary<string, Func<object?>> functions)
    {
        var sb = new StringBuilder();
        var scope = new List<Dictionary<string, object?>> { new() { ["$"] = null } };
        Exec(_nodes, sb, functions, scope);
        return sb.ToString();
    }

    // ---------------------------------------------------------------- nodes

    private abstract record Node(int Line, int Col, string Source);

    private sealed record TextNode(string Text) : Node(0, 0, "");

    private sealed record ActionNode(int Line, int Col, string Source, Pipeline Pipe) : Node(Line, Col, Source);

    private sealed record IfNode(int Line, int Col, string Source, Pipeline Cond, List<Node> Then, List<Node>? Else) : Node(Line, Col, Source);

    private sealed record Pipeline(string? Declare, bool IsAssign, List<Command> Commands);

    private sealed record Command(List<Operand> Args);

    private abstract record Operand(string Text);

    private sealed record LiteralOperand(string Text, object? Value) : Operand(Text);

    private sealed record FunctionOperand(string Text, string Function, List<string> Fields) : Operand(Text);

    private sealed record VariableOperand(string Text, string Variable, List<string> Fields) : Operand(Text);

    private sealed record DotOperand(string Text, List<string> Fields) : Operand(Text);

    private sealed record PipeOperand(string Text, Pipeline Pipe, List<string> Fields) : Operand(Text);

    // ---------------------------------------------------------------- execution

    private static void Exec(List<Node> nodes, StringBuilder sb, IReadOnlyDictionary<string, Func<object?>> fns, List<Dictionary<string, object?>> scope)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t:
                    sb.Append(t.Text);
                    break;
                case ActionNode a:
                    var value = EvalPipeline(a.Pipe, a, fns, scope);
                    if (a.Pipe.Declare is null)
                    {
                        sb.Append(Print(value));
                    }

                    break;
                case IfNode i:
                    scope.Add([]);
                    var cond = EvalPipeline(i.Cond, i, fns, scope);
                    if (IsTrue(cond))
                    {
                        Exec(i.Then, sb, fns, scope);
                    }
                    else if (i.Else is not null)
                    {
                        Exec(i.Else, sb, fns, scope);
                    }

                    scope.RemoveAt(scope.Count - 1);
                    break;
            }
        }
    }

    private static object? EvalPipeline(Pipeline pipe, Node at, IReadOnlyDictionary<string, Func<object?>> fns, List<Dictionary<string, object?>> scope)
    {
        object? value = null;
        var hasValue = false;
        foreach (var cmd in pipe.Commands)
        {
            value = EvalCommand(cmd, hasValue, value, at, fns, scope);
            hasValue = true;
        }

        if (pipe.Declare is { } v)
        {
            if (pipe.IsAssign)
            {
                var owner = scope.LastOrDefault(s => s.ContainsKey(v))
                    ?? throw Exec(at, at.Source, $"undefined variable: {v}");
                owner[v] = value;
            }
            else
            {
                scope[^1][v] = value;
            }
        }

        return value;
    }

    private static object? EvalCommand(Command cmd, bool piped, object? input, Node at, IReadOnlyDictionary<string, Func<object?>> fns, List<Dictionary<string, object?>> scope)
    {
        var first = cmd.Args[0];
        if (first is FunctionOperand { Fields.Count: 0 } f)
        {
            var args = new List<object?>();
            foreach (var a in cmd.Args.Skip(1))
            {
                args.Add(EvalOperand(a, at, fns, scope));
            }

            if (piped)
            {
                args.Add(input);
            }

            return Call(f.Function, args, at, f.Text, fns);
        }

        if (cmd.Args.Count > 1 || piped)
        {
            throw Exec(at, first.Text, $"can't give argument to non-function {first.Text}");
        }

        return EvalOperand(first, at, fns, scope);
    }

    private static object? EvalOperand(Operand op, Node at, IReadOnlyDictionary<string, Func<object?>> fns, List<Dictionary<string, object?>> scope)
    {
        switch (op)
        {
            case LiteralOperand l:
                return l.Value;
            case FunctionOperand f:
                return Fields(Call(f.Function, [], at, f.Text, fns), f.Fields, at, f.Text);
            case VariableOperand v:
                var owner = scope.LastOrDefault(s => s.ContainsKey(v.Variable))
                    ?? throw Exec(at, v.Text, $"undefined variable: {v.Variable}");
                return Fields(owner[v.Variable], v.Fields, at, v.Text);
            case DotOperand d:
                return Fields(null, d.Fields, at, d.Text);
            case PipeOperand p:
                return Fields(EvalPipeline(p.Pipe, at, fns, scope), p.Fields, at, p.Text);
            default:
                throw Exec(at, op.Text, "unsupported operand");
        }
    }

    private static object? Fields(object? value, List<string> fields, Node at, string text)
    {
        foreach (var field in fields)
        {
            value = value switch
            {
                IReadOnlyDictionary<string, string> map => map.TryGetValue(field, out var s)
                    ? s
                    : throw Exec(at, text, $"map has no entry for key \"{field}\""),
                null => throw Exec(at, text, $"nil data; no entry for key \"{field}\""),
                _ => throw Exec(at, text, $"can't evaluate field {field} in type {GoType(value)}"),
            };
        }

        return value;
    }

    private static object? Call(string name, List<object?> args, Node at, string text, IReadOnlyDictionary<string, Func<object?>> fns)
    {
        if (fns.TryGetValue(name, out var fn))
        {
            if (args.Count != 0)
            {
                throw Exec(at, text, $"error calling {name}: wrong number of args for {name}: want 0 got {args.Count}");
            }

            return fn();
        }

        switch (name)
        {
            case "printf":
                if (args.Count == 0 || args[0] is not string format)
                {
                    throw Exec(at, text, "wrong number of args for printf: want at least 1 got 0");
                }

                return GoPrintf.Sprintf(format, args.Skip(1).ToList());
            case "print":
                return GoPrintf.Sprint(args);
            case "println":
                return string.Join(" ", args.Select(Print)) + "\n";
            case "len":
                Want(name, args, 1, at, text);
                return (long)(args[0] switch
                {
                    string s => Encoding.UTF8.GetByteCount(s),
                    IReadOnlyDictionary<string, string> m => m.Count,
                    _ => throw Exec(at, text, $"error calling len: len of type {GoType(args[0])}"),
                });
            case "index":
                if (args.Count < 1)
                {
                    throw Exec(at, text, "wrong number of args for index: want at least 1 got 0");
                }

                var item = args[0];
                foreach (var key in args.Skip(1))
                {
                    item = item is IReadOnlyDictionary<string, string> m && key is string k
                        ? m.TryGetValue(k, out var found) ? found : throw Exec(at, text, $"error calling index: map has no entry for key \"{k}\"")
                        : throw Exec(at, text, $"error calling index: can't index item of type {GoType(item)}");
                }

                return item;
            case "not":
                Want(name, args, 1, at, text);
                return !IsTrue(args[0]);
            case "and":
                return args.FirstOrDefault(a => !IsTrue(a), args.LastOrDefault());
            case "or":
                return args.FirstOrDefault(IsTrue, args.LastOrDefault());
            case "eq":
                if (args.Count < 2)
                {
                    throw Exec(at, text, "error calling eq: missing argument for comparison");
                }

                return args.Skip(1).Any(a => Compare(args[0], a, at, text, "eq") == 0);
            case "ne":
                Want(name, args, 2, at, text);
                return Compare(args[0], args[1], at, text, name) != 0;
            case "lt":
                Want(name, args, 2, at, text);
                return Compare(args[0], args[1], at, text, name) < 0;
            case "le":
                Want(name, args, 2, at, text);
                return Compare(args[0], args[1], at, text, name) <= 0;
            case "gt":
                Want(name, args, 2, at, text);
                return Compare(args[0], args[1], at, text, name) > 0;
            case "ge":
                Want(name, args, 2, at, text);
                return Compare(args[0], args[1], at, text, name) >= 0;
            case "urlquery":
                return GoPrintf.QueryEscape(GoPrintf.Sprint(args));
            default:
                throw Exec(at, text, $"function \"{name}\" not defined");
        }
    }

    private static void Want(string name, List<object?> args, int n, Node at, string text)
    {
        if (args.Count != n)
        {
            throw Exec(at, text, $"wrong number of args for {name}: want {n} got {args.Count}");
        }
    }

    private static int Compare(object? a, object? b, Node at, string text, string fn)
    {
        switch (a, b)
        {
            case (string x, string y):
                return string.CompareOrdinal(x, y);
            case (long x, long y):
                return x.CompareTo(y);
            case (double x, double y):
                return x.CompareTo(y);
            case (bool x, bool y) when fn is "eq" or "ne":
                return x == y ? 0 : 1;
            default:
                throw Exec(at, text, $"error calling {fn}: incompatible types for comparison");
        }
    }

    internal static bool IsTrue(object? v) => v switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        IReadOnlyDictionary<string, string> m => m.Count > 0,
        _ => true,
    };

    internal static string Print(object? v) => v switch
    {
        null => "<no value>",
        _ => GoPrintf.Value(v),
    };

    internal static string GoType(object? v) => v switch
    {
        null => "<nil>",
        string => "string",
        long => "int",
        double => "float64",
        bool => "bool",
        IReadOnlyDictionary<string, string> => "map[string]string",
        _ => v.GetType().Name,
    };

    private static TemplateException Exec(Node at, string text, string message) =>
        new($"template: {Name}:{at.Line}:{at.Col}: executing \"{Name}\" at <{text}>: {message}");

    // ---------------------------------------------------------------- parsing

    private sealed class Parser(string text, IReadOnlySet<string> functions)
    {
        private static readonly HashSet<string> Builtins =
            ["printf", "print", "println", "len", "index", "not", "and", "or", "eq", "ne", "lt", "le", "gt", "ge", "urlquery"];

        private static readonly HashSet<string> Unsupported =
            ["range", "with", "define", "template", "block", "break", "continue", "html", "js", "call", "slice"];

        private readonly List<(int Line, int Col, string Source, string Body, bool IsText)> _items = [];
        private readonly List<HashSet<string>> _vars = [["$"]];
        private int _pos;

        public List<Node> ParseAll()
        {
            Lex();
            var nodes = ParseList(out var terminator);
            if (terminator is not null)
            {
                throw Error(terminator.Value.Line, $"unexpected {{{{{terminator.Value.Body}}}}}");
            }

            return nodes;
        }

        private List<Node> ParseList(out (int Line, int Col, string Body)? terminator)
        {
            var nodes = new List<Node>();
            terminator = null;
            while (_pos < _items.Count)
            {
                var item = _items[_pos++];
                if (item.IsText)
                {
                    if (item.Body.Length > 0)
                    {
                        nodes.Add(new TextNode(item.Body));
                    }

                    continue;
                }

                var body = item.Body.Trim();
                if (body.StartsWith("/*", StringComparison.Ordinal))
                {
                    continue;
                }

                var keyword = FirstWord(body);
                if (keyword is "end" or "else")
                {
                    terminator = (item.Line, item.Col, body);
                    return nodes;
                }

                if (keyword == "if")
                {
                    nodes.Add(ParseIf(item.Line, item.Col, item.Source, body[2..]));
                    continue;
                }

                if (Unsupported.Contains(keyword))
                {
                    throw Error(item.Line, $"unsupported action {item.Source}: \"{keyword}\" is not supported in metric queries");
                }

                nodes.Add(new ActionNode(item.Line, item.Col, item.Source, ParsePipeline(body, item.Line, item.Source, allowDeclare: true)));
            }

            return nodes;
        }

        private IfNode ParseIf(int line, int col, string source, string condition)
        {
            _vars.Add([]);
            var cond = ParsePipeline(condition.Trim(), line, source, allowDeclare: true);
            var then = ParseList(out var term);
            _vars.RemoveAt(_vars.Count - 1);
            if (term is null)
            {
                throw Error(line, $"unexpected EOF: {source} has no matching {{{{end}}}}");
            }

            List<Node>? otherwise = null;
            if (term.Value.Body.StartsWith("else", StringComparison.Ordinal))
            {
                var rest = term.Value.Body[4..].Trim();
                if (rest.Length > 0)
                {
                    if (FirstWord(rest) != "if")
                    {
                        throw Error(term.Value.Line, $"unexpected \"{rest}\" after else");
                    }

                    // "else if" nests an if whose {{end}} also closes this one, as in Go.
                    _vars.Add([]);
                    otherwise = [ParseIf(term.Value.Line, term.Value.Col, "{{" + term.Value.Body + "}}", rest[2..])];
                    _vars.RemoveAt(_vars.Count - 1);
                    return new IfNode(line, col, source, cond, then, otherwise);
                }

                _vars.Add([]);
                otherwise = ParseList(out term);
                _vars.RemoveAt(_vars.Count - 1);
                if (term is null || term.Value.Body != "end")
                {
                    throw Error(line, $"unexpected EOF: {source} has no matching {{{{end}}}}");
                }
            }
            else if (term.Value.Body != "end")
            {
                throw Error(term.Value.Line, $"unexpected {{{{{term.Value.Body}}}}}");
            }

            return new IfNode(line, col, source, cond, then, otherwise);
        }

        private static string FirstWord(string body)
        {
            var i = 0;
            while (i < body.Length && (char.IsLetterOrDigit(body[i]) || body[i] == '_'))
            {
                i++;
            }

            return body[..i];
        }

        private Pipeline ParsePipeline(string body, int line, string source, bool allowDeclare)
        {
            var tokens = new Tokenizer(body, line, source).Tokenize();
            var i = 0;
            var pipe = ParsePipelineTokens(tokens, ref i, line, source, allowDeclare);
            if (i < tokens.Count)
            {
                throw Error(line, $"unexpected \"{tokens[i].Text}\" in {source}");
            }

            return pipe;
        }

        private Pipeline ParsePipelineTokens(List<Token> tokens, ref int i, int line, string source, bool allowDeclare)
        {
            string? declare = null;
            var assign = false;
            if (allowDeclare && i + 1 < tokens.Count && tokens[i].Kind == TokenKind.Variable && tokens[i + 1].Kind is TokenKind.Declare or TokenKind.Assign)
            {
                declare = tokens[i].Text;
                assign = tokens[i + 1].Kind == TokenKind.Assign;
                if (assign && !_vars.Any(v => v.Contains(declare)))
                {
                    throw Error(line, $"undefined variable \"{declare}\"");
                }

                i += 2;
            }

            var commands = new List<Command>();
            var args = new List<Operand>();
            while (i < tokens.Count && tokens[i].Kind != TokenKind.RightParen)
            {
                var t = tokens[i];
                if (t.Kind == TokenKind.Pipe)
                {
                    if (args.Count == 0)
                    {
                        throw Error(line, $"missing command before '|' in {source}");
                    }

                    commands.Add(new Command(args));
                    args = [];
                    i++;
                    continue;
                }

                args.Add(ParseOperand(tokens, ref i, line, source));
            }

            if (args.Count == 0)
            {
                throw Error(line, $"missing value for command in {source}");
            }

            commands.Add(new Command(args));
            if (declare is not null && !assign)
            {
                _vars[^1].Add(declare);
            }

            return new Pipeline(declare, assign, commands);
        }

        private Operand ParseOperand(List<Token> tokens, ref int i, int line, string source)
        {
            var t = tokens[i++];
            Operand op;
            switch (t.Kind)
            {
                case TokenKind.String:
                case TokenKind.Number:
                    op = new LiteralOperand(t.Text, t.Value);
                    break;
                case TokenKind.Identifier:
                    op = t.Text switch
                    {
                        "true" => new LiteralOperand(t.Text, true),
                        "false" => new LiteralOperand(t.Text, false),
                        "nil" => throw Error(line, $"nil is not a command in {source}"),
                        _ when functions.Contains(t.Text) || Builtins.Contains(t.Text) => new FunctionOperand(t.Text, t.Text, []),
                        _ when Unsupported.Contains(t.Text) => throw Error(line, $"unsupported function \"{t.Text}\" in {source}"),
                        _ => throw Error(line, $"function \"{t.Text}\" not defined"),
                    };
                    break;
                case TokenKind.Variable:
                    if (!_vars.Any(v => v.Contains(t.Text)))
                    {
                        throw Error(line, $"undefined variable \"{t.Text}\"");
                    }

                    op = new VariableOperand(t.Text, t.Text, []);
                    break;
                case TokenKind.Dot:
                    op = new DotOperand(".", []);
                    break;
                case TokenKind.Field:
                    op = new DotOperand(t.Text, [t.Text[1..]]);
                    break;
                case TokenKind.LeftParen:
                    var start = i;
                    var pipe = ParsePipelineTokens(tokens, ref i, line, source, allowDeclare: false);
                    if (i >= tokens.Count || tokens[i].Kind != TokenKind.RightParen)
                    {
                        throw Error(line, $"unclosed left paren in {source}");
                    }

                    var inner = string.Join(" ", tokens.Skip(start).Take(i - start).Select(x => x.Text));
                    i++;
                    op = new PipeOperand("(" + inner + ")", pipe, []);
                    break;
                default:
                    throw Error(line, $"unexpected \"{t.Text}\" in {source}");
            }

            // A field chain written without spaces: variables.key, $v.key, (pipe).key
            while (i < tokens.Count && tokens[i].Kind == TokenKind.Field && tokens[i].Attached)
            {
                var field = tokens[i++].Text;
                op = op switch
                {
                    FunctionOperand f => f with { Text = f.Text + field, Fields = [.. f.Fields, field[1..]] },
                    VariableOperand v => v with { Text = v.Text + field, Fields = [.. v.Fields, field[1..]] },
                    DotOperand d => d with { Text = d.Text + field, Fields = [.. d.Fields, field[1..]] },
                    PipeOperand p => p with { Text = p.Text + field, Fields = [.. p.Fields, field[1..]] },
                    _ => throw Error(line, $"unexpected {field} in {source}"),
                };
            }

            return op;
        }

        private void Lex()
        {
            var pos = 0;
            var trimNext = false;
            while (pos <= text.Length)
            {
                var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
                var segment = open < 0 ? text[pos..] : text[pos..open];
                if (trimNext)
                {
                    segment = segment.TrimStart(' ', '\t', '\r', '\n');
                }

                if (open < 0)
                {
                    _items.Add((0, 0, "", segment, true));
                    return;
                }

                var bodyStart = open + 2;
                var trimLeft = bodyStart + 1 < text.Length && text[bodyStart] == '-' && IsSpace(text[bodyStart + 1]);
                if (trimLeft)
                {
                    segment = segment.TrimEnd(' ', '\t', '\r', '\n');
                    bodyStart += 2;
                }

                _items.Add((0, 0, "", segment, true));
                var (line, col) = Position(open);
                var close = FindClose(bodyStart, line);
                var bodyEnd = close;
                trimNext = false;
                if (close - 2 >= bodyStart && text[close - 1] == '-' && IsSpace(text[close - 2]))
                {
                    trimNext = true;
                    bodyEnd = close - 2;
                }

                var source = text[open..(close + 2)];
                _items.Add((line, col, source, text[bodyStart..bodyEnd], false));
                pos = close + 2;
            }
        }

        private int FindClose(int from, int line)
        {
            var i = from;
            while (i < text.Length)
            {
                var c = text[i];
                if (c is '"' or '`' or '\'')
                {
                    var end = i + 1;
                    while (end < text.Length && text[end] != c)
                    {
                        if (c != '`' && text[end] == '\\')
                        {
                            end++;
                        }

                        if (c != '`' && text[end] == '\n')
                        {
                            throw Error(line, "unterminated quoted string");
                        }

                        end++;
                    }

                    if (end >= text.Length)
                    {
                        throw Error(line, c == '`' ? "unterminated raw quoted string" : "unterminated quoted string");
                    }

                    i = end + 1;
                    continue;
                }

                if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    var endComment = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (endComment < 0)
                    {
                        throw Error(line, "unclosed comment");
                    }

                    i = endComment + 2;
                    continue;
                }

                if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
                {
                    return i;
                }

                i++;
            }

            throw Error(line, "unclosed action");
        }

        private (int Line, int Col) Position(int offset)
        {
            var line = 1;
            var lastNewline = -1;
            for (var i = 0; i < offset; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    lastNewline = i;
                }
            }

            return (line, offset - lastNewline - 1);
        }

        private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';
    }

    private static TemplateException Error(int line, string message) => new($"template: {Name}:{line}: {message}");

    private enum TokenKind { Identifier, Variable, Field, Dot, String, Number, Pipe, LeftParen, RightParen, Declare, Assign }

    private sealed record Token(TokenKind Kind, string Text, object? Value, bool Attached);

    private sealed class Tokenizer(string body, int line, string source)
    {
        public List<Token> Tokenize()
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < body.Length)
            {
                var c = body[i];
                var attached = i > 0 && !char.IsWhiteSpace(body[i - 1]) && body[i - 1] != '(' && body[i - 1] != '|';
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                if (c == '|')
                {
                    tokens.Add(new Token(TokenKind.Pipe, "|", null, false));
                    i++;
                }
                else if (c == '(')
                {
                    tokens.Add(new Token(TokenKind.LeftParen, "(", null, false));
                    i++;
                }
                else if (c == ')')
                {
                    tokens.Add(new Token(TokenKind.RightParen, ")", null, false));
                    i++;
                }
                else if (c == ':' && i + 1 < body.Length && body[i + 1] == '=')
                {
                    tokens.Add(new Token(TokenKind.Declare, ":=", null, false));
                    i += 2;
                }
                else if (c == '=')
                {
                    tokens.Add(new Token(TokenKind.Assign, "=", null, false));
                    i++;
                }
                else if (c == '"')
                {
                    var end = i + 1;
                    while (body[end] != '"')
                    {
                        end += body[end] == '\\' ? 2 : 1;
                    }

                    var raw = body[i..(end + 1)];
                    tokens.Add(new Token(TokenKind.String, raw, Unquote(raw), false));
                    i = end + 1;
                }
                else if (c == '`')
                {
                    var end = body.IndexOf('`', i + 1);
                    var raw = body[i..(end + 1)];
                    tokens.Add(new Token(TokenKind.String, raw, raw[1..^1].Replace("\r", "", StringComparison.Ordinal), false));
                    i = end + 1;
                }
                else if (c == '\'')
                {
                    throw Error(line, $"unsupported character constant in {source}");
                }
                else if (c == '$')
                {
                    var end = i + 1;
                    while (end < body.Length && (char.IsLetterOrDigit(body[end]) || body[end] == '_'))
                    {
                        end++;
                    }

                    tokens.Add(new Token(TokenKind.Variable, body[i..end], null, false));
                    i = end;
                }
                else if (c == '.' && (i + 1 >= body.Length || !(char.IsLetter(body[i + 1]) || body[i + 1] == '_')))
                {
                    if (i + 1 < body.Length && char.IsDigit(body[i + 1]))
                    {
                        i = Number(tokens, i);
                        continue;
                    }

                    tokens.Add(new Token(TokenKind.Dot, ".", null, false));
                    i++;
                }
                else if (c == '.')
                {
                    var end = i + 1;
                    while (end < body.Length && (char.IsLetterOrDigit(body[end]) || body[end] == '_'))
                    {
                        end++;
                    }

                    tokens.Add(new Token(TokenKind.Field, body[i..end], null, attached));
                    i = end;
                }
                else if (char.IsDigit(c) || ((c == '-' || c == '+') && i + 1 < body.Length && (char.IsDigit(body[i + 1]) || body[i + 1] == '.')))
                {
                    i = Number(tokens, i);
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    var end = i;
                    while (end < body.Length && (char.IsLetterOrDigit(body[end]) || body[end] == '_'))
                    {
                        end++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, body[i..end], null, false));
                    i = end;
                }
                else
                {
                    throw Error(line, $"unexpected \"{c}\" in {source}");
                }
            }

            return tokens;
        }

        private int Number(List<Token> tokens, int i)
        {
            var end = i;
            if (body[end] is '-' or '+')
            {
                end++;
            }

            while (end < body.Length && (char.IsLetterOrDigit(body[end]) || body[end] is '.' or '_' || ((body[end] is '-' or '+') && body[end - 1] is 'e' or 'E')))
            {
                end++;
            }

            var raw = body[i..end];
            var clean = raw.Replace("_", "", StringComparison.Ordinal);
            object value;
            if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || clean.StartsWith("-0x", StringComparison.OrdinalIgnoreCase))
            {
                var neg = clean.StartsWith('-');
                var hex = clean[(neg ? 3 : 2)..];
                if (!long.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h))
                {
                    throw Error(line, $"bad number syntax: \"{raw}\"");
                }

                value = neg ? -h : h;
            }
            else if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                value = l;
            }
            else if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                value = d;
            }
            else
            {
                throw Error(line, $"bad number syntax: \"{raw}\"");
            }

            tokens.Add(new Token(TokenKind.Number, raw, value, false));
            return end;
        }

        private string Unquote(string raw)
        {
            var sb = new StringBuilder();
            for (var i = 1; i < raw.Length - 1; i++)
            {
                var c = raw[i];
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                var e = raw[++i];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'a': sb.Append('\a'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case '\\': sb.Append('\\'); break;
                    case '"': sb.Append('"'); break;
                    case '\'': sb.Append('\''); break;
                    case 'x':
                        sb.Append((char)Convert.ToInt32(Hex(raw, i + 1, 2), 16));
                        i += 2;
                        break;
                    case 'u':
                        sb.Append(char.ConvertFromUtf32(Convert.ToInt32(Hex(raw, i + 1, 4), 16)));
                        i += 4;
                        break;
                    case 'U':
                        sb.Append(char.ConvertFromUtf32(Convert.ToInt32(Hex(raw, i + 1, 8), 16)));
                        i += 8;
                        break;
                    case >= '0' and <= '7':
                        if (i + 2 >= raw.Length - 1 || !raw[(i + 1)..(i + 3)].All(ch => ch is >= '0' and <= '7'))
                        {
                            throw Error(line, $"invalid syntax in string literal {raw} in {source}");
                        }

                        sb.Append((char)Convert.ToInt32(raw[i..(i + 3)], 8));
                        i += 2;
                        break;
                    default:
                        throw Error(line, $"invalid escape \\{e} in string literal {raw} in {source}");
                }
            }

            return sb.ToString();
        }

        private string Hex(string raw, int start, int length)
        {
            if (start + length > raw.Length - 1 || !raw.Substring(start, length).All(char.IsAsciiHexDigit))
            {
                throw Error(line, $"invalid syntax in string literal {raw} in {source}");
            }

            return raw.Substring(start, length);
        }
    }
}
