namespace Flagger.Runtime.Configuration;

/// <summary>
/// Who this replica is: upstream's leader election identity (<c>hostname_uuid</c>), also carried in the user agent of
/// every API request (<c>flagger-dotnet/&lt;version&gt; (&lt;identity&gt;)</c>) so audit logs tell the replicas apart.
/// </summary>
internal sealed record OperatorIdentity(string Name)
{
    public const string UserAgentProduct = "flagger-dotnet";

    public static OperatorIdentity New() => new($"{Environment.MachineName}_{Guid.NewGuid()}");

    public string UserAgent => $"{UserAgentProduct}/{FlaggerVersion.Current} ({Name})";
}
