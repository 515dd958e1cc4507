using System.Security.Cryptography;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// The session-affinity cookies of a canary run (<c>status.sessionAffinityCookie</c>,
/// <c>primarySessionAffinityCookie</c>, <c>previousSessionAffinityCookie</c>), each <c>&lt;name&gt;=&lt;10 letters&gt;</c>.
/// The state machine decides them with <see cref="ForStep"/> (pure apart from the supplied random source), the router
/// renders them into routing rules, and the reconciler persists them in the same status write as the weight.
/// </summary>
/// <example>
/// <code>
/// var cookies = SessionAffinityCookies.ForStep(spec.Analysis?.SessionAffinity, SessionAffinityCookies.FromStatus(status),
///     canaryWeight: 10, SessionAffinityCookies.RandomValue);
/// await router.SetRoutesAsync(canary, new TrafficSplit(90, 10, false), cookies, ct);
/// cookies.ApplyTo(status); // then write status once
/// </code>
/// </example>
public sealed record SessionAffinityCookies(string? Current, string? Primary, string? Previous)
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>No cookies (no session affinity, or a canary that never had traffic).</summary>
    public static SessionAffinityCookies None { get; } = new(null, null, null);

    /// <summary>The cookies persisted in a canary's status.</summary>
    public static SessionAffinityCookies FromStatus(CanaryStatus? status) =>
        status is null
            ? None
            : new(Blank(status.SessionAffinityCookie), Blank(status.PrimarySessionAffinityCookie), Blank(status.PreviousSessionAffinityCookie));

    /// <summary>
    /// The cookies after routing <paramref name="canaryWeight"/> percent to the canary (upstream:
    /// pkg/router/istio.go getSessionAffinityRouteRules). With canary traffic a missing canary cookie and primary
    /// cookie are generated (the primary one even without <c>primaryCookieName</c>, as upstream v1.44 does); at weight 0 the current canary cookie becomes the
    /// previous one, so routers can expire it, and the current one is cleared. Without session affinity the input is
    /// returned unchanged.
    /// </summary>
    public static SessionAffinityCookies ForStep(SessionAffinity? affinity, SessionAffinityCookies current, int canaryWeight, Func<string> randomValue)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(randomValue);
        if (affinity is null || string.IsNullOrEmpty(affinity.CookieName))
        {
            return current;
        }

        if (canaryWeight > 0)
        {
            var canaryCookie = current.Current ?? $"{affinity.CookieName}={randomValue()}";
            // upstream writes the primary cookie even without primaryCookieName ("=<value>"); routers only use it when named
            var primaryCookie = current.Primary ?? $"{affinity.PrimaryCookieName}={randomValue()}";
            return current with { Current = canaryCookie, Primary = primaryCookie };
        }

        return current with { Current = null, Previous = current.Current ?? current.Previous };
    }

    /// <summary>Ten random ASCII letters, the value format upstream uses.</summary>
    public static string RandomValue() => RandomNumberGenerator.GetString(Letters, 10);

    /// <summary>Copies the cookies into a status about to be written (empty strings are written as absent).</summary>
    public void ApplyTo(CanaryStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        status.SessionAffinityCookie = Current;
        status.PrimarySessionAffinityCookie = Primary;
        status.PreviousSessionAffinityCookie = Previous;
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
