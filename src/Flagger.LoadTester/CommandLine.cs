using System.Globalization;
using System.Text.RegularExpressions;

namespace Flagger.LoadTester;

/// <summary>
/// Parses upstream's Go-style flags (<c>-port=8080</c>, <c>--port 8080</c>, <c>-zap-replace-globals</c>) so existing
/// manifests and the Helm chart keep working unchanged.
/// </summary>
// upstream: cmd/loadtester/main.go
internal static class CommandLine
{
    private static readonly HashSet<string> BoolFlags = ["zap-replace-globals"];
    private static readonly HashSet<string> ValueFlags = ["port", "timeout", "namespace-regexp", "log-level", "zap-encoding", "state-dir", "max-body-bytes"];

    public static (LoadTesterOptions? Options, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new LoadTesterOptions();
        if (environment("LOADTESTER_STATE_DIR") is { } envStateDir)
        {
            options = options with { StateDir = envStateDir };
        }

        if (environment("LOADTESTER_MAX_BODY_BYTES") is { } envMaxBody)
        {
            if (ParseSize(envMaxBody) is not { } size)
            {
                return (null, $"invalid value \"{envMaxBody}\" for LOADTESTER_MAX_BODY_BYTES: a positive number of bytes is expected");
            }

            options = options with { MaxBodyBytes = size };
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg is "-" or "--")
            {
                return (null, $"unexpected argument \"{arg}\"");
            }

            var flag = arg.TrimStart('-');
            string? value = null;
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = flag[(eq + 1)..];
                flag = flag[..eq];
            }

            if (BoolFlags.Contains(flag))
            {
                if (value is not null && !bool.TryParse(value, out _) && value is not ("1" or "0" or "t" or "f" or "T" or "F"))
                {
                    return (null, $"invalid boolean value \"{value}\" for flag -{flag}");
                }

                continue;
            }

            if (!ValueFlags.Contains(flag))
            {
                return (null, $"flag provided but not defined: -{flag}");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return (null, $"flag needs an argument: -{flag}");
                }

                value = args[++i];
            }

            switch (flag)
            {
                case "port":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        return (null, $"invalid value \"{value}\" for flag -port: must be a TCP port number");
                    }

                    options = options with { Port = port };
                    break;
                case "timeout":
                    if (!GoDurationParser.TryParse(value, out var timeout) || timeout <= TimeSpan.Zero)
                    {
                        return (null, $"invalid value \"{value}\" for flag -timeout: parse error (a positive Go duration such as 30s, 5m, 1h is expected)");
                    }

                    options = options with { Timeout = timeout };
                    break;
                case "namespace-regexp":
                    if (value.Length == 0)
                    {
                        options = options with { NamespaceRegexp = null };
                        break;
                    }

                    try
                    {
                        options = options with { NamespaceRegexp = new Regex(value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) };
                    }
                    catch (ArgumentException ex)
                    {
                        return (null, $"invalid value \"{value}\" for flag -namespace-regexp: {ex.Message}");
                    }

                    break;
                case "log-level":
                    if (value is not ("debug" or "info" or "warn" or "warning" or "error"))
                    {
                        return (null, $"invalid value \"{value}\" for flag -log-level: one of debug, info, warning, error");
                    }

                    options = options with { LogLevel = value };
                    break;
                case "zap-encoding":
                    options = options with { LogEncoding = value };
                    break;
                case "state-dir":
                    options = options with { StateDir = value };
                    break;
                case "max-body-bytes":
                    if (ParseSize(value) is not { } maxBody)
                    {
                        return (null, $"invalid value \"{value}\" for flag -max-body-bytes: a positive number of bytes is expected");
                    }

                    options = options with { MaxBodyBytes = maxBody };
                    break;
            }
        }

        return (options, null);
    }

    private static long? ParseSize(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 ? size : null;
}
