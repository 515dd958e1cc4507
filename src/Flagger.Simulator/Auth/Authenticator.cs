using System.Security.Cryptography;
using System.Text;

namespace Flagger.Simulator.Auth;

/// <summary>Who sent a request: user name and groups, as the API server's authenticators produce them.</summary>
internal sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    public static UserInfo Anonymous { get; } = new("system:anonymous", ["system:unauthenticated"]);

    public static UserInfo Admin { get; } = new("admin", ["system:masters", "system:authenticated"]);
}

/// <summary>
/// Bearer tokens: the cluster's admin token (group <c>system:masters</c>), and signed tokens the simulator issues for
/// service accounts (<c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>) and users. A missing token is anonymous;
/// any other token is refused (401).
/// </summary>
internal sealed class Authenticator(string adminToken)
{
    private const string Prefix = "sim.";
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    public string ServiceAccountToken(string ns, string name) => Issue($"system:serviceaccount:{ns}:{name}",
        ["system:serviceaccounts", $"system:serviceaccounts:{ns}"]);

    public string UserToken(string name, IEnumerable<string> groups) => Issue(name, groups);

    /// <summary>The user of an <c>Authorization</c> header, or null when its credential is invalid.</summary>
    public UserInfo? Authenticate(string header)
    {
        if (header.Length == 0)
        {
            return UserInfo.Anonymous;
        }

        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var token = header[7..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(adminToken)))
        {
            return UserInfo.Admin;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] + "." != Prefix)
        {
            return null;
        }

        byte[] payload;
        try
        {
            payload = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }

        var fields = Encoding.UTF8.GetString(payload).Split('\n');
        return new UserInfo(fields[0], [.. fields.Skip(1).Where(g => g.Length > 0), "system:authenticated"]);
    }

    private string Issue(string name, IEnumerable<string> groups)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('\n', groups.Prepend(name)));
        return Prefix + Convert.ToBase64String(payload) + "." + Sign(payload);
    }

    private string Sign(byte[] payload) => Convert.ToHexStringLower(HMACSHA256.HashData(key, payload));
}
