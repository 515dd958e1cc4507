namespace Flagger.Modules.Alerting;

/// <summary>
/// Settings of the alerting module: upstream's flags of <c>cmd/flagger/main.go</c> (<c>-cluster-name</c>,
/// <c>-slack-*</c>, <c>-msteams-*</c>) and their env vars, which the runtime maps onto these properties.
/// </summary>
public sealed class AlertingOptions
{
    /// <summary><c>--cluster-name</c>: sent as the first field, <c>Cluster</c>, of every alert when set.</summary>
    public string? ClusterName { get; set; }

    /// <summary><c>--slack-url</c> / <c>SLACK_URL</c>: the global Slack hook. Empty (and no MS Teams URL) = no global notifier.</summary>
    public string? SlackUrl { get; set; }

    /// <summary><c>--slack-token</c> / <c>SLACK_TOKEN</c>: sent as <c>Authorization: Bearer</c>.</summary>
    public string? SlackToken { get; set; }

    /// <summary><c>--slack-proxy-url</c> / <c>SLACK_PROXY_URL</c>.</summary>
    public string? SlackProxyUrl { get; set; }

    /// <summary><c>--slack-user</c>, default <c>flagger</c>.</summary>
    public string SlackUser { get; set; } = "flagger";

    /// <summary><c>--slack-channel</c>; no default: without it the global Slack notifier is disabled (logged), as upstream.</summary>
    public string? SlackChannel { get; set; }

    /// <summary><c>--msteams-url</c> / <c>MSTEAMS_URL</c>: when set, the global notifier is MS Teams instead of Slack.</summary>
    public string? MsTeamsUrl { get; set; }

    /// <summary><c>--msteams-proxy-url</c> / <c>MSTEAMS_PROXY_URL</c>.</summary>
    public string? MsTeamsProxyUrl { get; set; }
}
