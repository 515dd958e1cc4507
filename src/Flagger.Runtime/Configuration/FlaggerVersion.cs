using System.Reflection;

namespace Flagger.Runtime.Configuration;

/// <summary>The version printed by <c>-version</c> and exported as <c>flagger_info{version}</c>.</summary>
internal static class FlaggerVersion
{
    public static string Current { get; } =
        typeof(FlaggerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
