using Flagger.Modules.Alerting.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flagger.Modules.Alerting;

/// <summary>Registers <see cref="IAlerter"/>: notifiers, provider resolution from <c>IKubeCache</c>, the global notifier.</summary>
public static class AlertingModule
{
    /// <summary>
    /// Adds the module. Needs <c>IKubeCache</c> (with AlertProvider and Secret informers) and a <see cref="TimeProvider"/>.
    /// Options bind from section <c>Alerting</c>, then the flag-style keys, then the env vars (see <see cref="AlertingOptions"/>).
    /// </summary>
    public static IHostApplicationBuilder AddAlertingModule(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AlertingOptions>()
            .BindConfiguration("Alerting")
            .Configure<IConfiguration>(Apply);
        builder.Services.AddSingleton<NotificationPoster>();
        builder.Services.AddSingleton<NotifierFactory>();
        builder.Services.AddSingleton(_ => new AlertingMetrics());
        builder.Services.AddSingleton<IAlerter, Alerter>();
        return builder;
    }

    // upstream: cmd/flagger/main.go flags and fromEnv (a non-empty env var wins over the flag)
    internal static void Apply(AlertingOptions options, IConfiguration configuration)
    {
        options.ClusterName = First(configuration["cluster-name"], options.ClusterName);
        options.SlackUrl = First(configuration["SLACK_URL"], configuration["slack-url"], options.SlackUrl);
        options.SlackToken = First(configuration["SLACK_TOKEN"], configuration["slack-token"], options.SlackToken);
        options.SlackProxyUrl = First(configuration["SLACK_PROXY_URL"], configuration["slack-proxy-url"], options.SlackProxyUrl);
        options.SlackUser = First(configuration["slack-user"], options.SlackUser) ?? "flagger";
        options.SlackChannel = First(configuration["slack-channel"], options.SlackChannel);
        options.MsTeamsUrl = First(configuration["MSTEAMS_URL"], configuration["msteams-url"], options.MsTeamsUrl);
        options.MsTeamsProxyUrl = First(configuration["MSTEAMS_PROXY_URL"], configuration["msteams-proxy-url"], options.MsTeamsProxyUrl);
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
