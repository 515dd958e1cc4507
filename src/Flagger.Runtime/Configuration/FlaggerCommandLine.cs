using System.Globalization;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Runtime.Configuration;

/// <summary>
/// Turns upstream-style flags into configuration keys of the <c>Flagger</c> section. Both the Go form
/// (<c>-mesh-provider=istio</c>, <c>-enable-leader-election</c>) and the GNU form (<c>--mesh-provider istio</c>) work,
/// so existing Helm values and container args carry over unchanged. Unknown flags are errors, as in Go's flag package.
/// </summary>
public static class FlaggerCommandLine
{
    private sealed record Flag(string Key, bool IsBool = false);

    private static readonly Dictionary<string, Flag> Flags = new(StringComparer.Ordinal)
    {
        ["kubeconfig"] = new("Kubeconfig"),
        ["master"] = new("Master"),
        ["kubeconfig-qps"] = new("KubeconfigQps"),
        ["kubeconfig-burst"] = new("KubeconfigBurst"),
        ["metrics-server"] = new("MetricsServer"),
        ["mesh-provider"] = new("MeshProvider"),
        ["selector-labels"] = new("SelectorLabels"),
        ["include-label-prefix"] = new("IncludeLabelPrefix"),
        ["namespace"] = new("Namespace"),
        ["enable-config-tracking"] = new("EnableConfigTracking", IsBool: true),
        ["ingress-annotations-prefix"] = new("IngressAnnotationsPrefix"),
        ["ingress-class"] = new("IngressClass"),
        ["enable-leader-election"] = new("EnableLeaderElection", IsBool: true),
        ["leader-election-namespace"] = new("LeaderElectionNamespace"),
        ["threadiness"] = new("Threadiness"),
        ["event-webhook"] = new("EventWebhook"),
        ["cluster-name"] = new("ClusterName"),
        ["no-cross-namespace-refs"] = new("NoCrossNamespaceRefs", IsBool: true),
        ["slack-url"] = new("SlackUrl"),
        ["slack-token"] = new("SlackToken"),
        ["slack-proxy-url"] = new("SlackProxyUrl"),
        ["slack-user"] = new("SlackUser"),
        ["slack-channel"] = new("SlackChannel"),
        ["msteams-url"] = new("MsteamsUrl"),
        ["msteams-proxy-url"] = new("MsteamsProxyUrl"),
        ["port"] = new("Port"),
        ["log-level"] = new("LogLevel"),
        ["min-analysis-interval"] = new("MinAnalysisInterval"),
        // Accepted for compatibility; they change nothing here (JSON logs and the control loop are our own).
        ["zap-encoding"] = new("ZapEncoding"),
        ["zap-replace-globals"] = new("ZapReplaceGlobals", IsBool: true),
        ["control-loop-interval"] = new("ControlLoopInterval"),
        ["kubeconfig-service-mesh"] = new("KubeconfigServiceMesh"),
    };

    /// <summary>Upstream's environment variables; when set they win over the flag (upstream <c>fromEnv</c>, cmd/flagger/main.go).</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["EVENT_WEBHOOK_URL"] = "EventWebhook",
        ["SLACK_URL"] = "SlackUrl",
        ["SLACK_TOKEN"] = "SlackToken",
        ["SLACK_PROXY_URL"] = "SlackProxyUrl",
        ["MSTEAMS_URL"] = "MsteamsUrl",
        ["MSTEAMS_PROXY_URL"] = "MsteamsProxyUrl",
    };

    /// <summary>The result of parsing: configuration values keyed <c>Flagger:Property</c>, or the errors found.</summary>
    public sealed record Result(IReadOnlyDictionary<string, string?> Values, IReadOnlyList<string> Errors, bool VersionRequested);

    public static Result Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var version = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg is "-" or "--")
            {
                errors.Add($"unexpected argument \"{arg}\"");
                continue;
            }

            var body = arg.TrimStart('-');
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? body : body[..eq];
            string? value = eq < 0 ? null : body[(eq + 1)..];

            if (name is "version" or "v")
            {
                version = true;
                continue;
            }

            if (!Flags.TryGetValue(name, out var flag))
            {
                errors.Add($"flag provided but not defined: -{name}");
                continue;
            }

            if (flag.IsBool)
            {
                value ??= "true";
                if (!bool.TryParse(value, out _))
                {
                    errors.Add($"invalid boolean value \"{value}\" for flag -{name}");
                    continue;
                }
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    errors.Add($"flag needs an argument: -{name}");
                    continue;
                }

                value = args[++i];
            }

            if (flag.Key == "MinAnalysisInterval" && !GoDuration.TryParse(value, out _))
            {
                errors.Add($"invalid duration \"{value}\" for flag -{name}: use Go syntax such as 10s, 1m or 500ms");
                continue;
            }

            values[$"{FlaggerOptions.Section}:{flag.Key}"] = flag.Key == "MinAnalysisInterval"
                ? ToTimeSpanText(value)
                : value;
        }

        // upstream: cmd/flagger/main.go fromEnv — a set variable overrides the flag (Secrets reach the pod as env).
        foreach (var (variable, key) in EnvironmentVariables)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                values[$"{FlaggerOptions.Section}:{key}"] = value;
            }
        }

        return new Result(values, errors, version);
    }

    private static string ToTimeSpanText(string goDuration)
    {
        GoDuration.TryParse(goDuration, out var span);
        return span.ToString("c", CultureInfo.InvariantCulture);
    }
}
