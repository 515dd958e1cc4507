using Flagger.Modules.Routing.Contracts;
using Flagger.Modules.Shared.Crd;

namespace Flagger.Modules.Tests.Routing;

public sealed class SessionAffinityCookiesTests
{
    private static readonly SessionAffinity Affinity = new() { CookieName = "canary", PrimaryCookieName = "primary" };

    [Fact]
    public void Canary_traffic_generates_missing_cookies_once_and_keeps_existing_ones()
    {
        var values = new Queue<string>(["aaaaaaaaaa", "bbbbbbbbbb"]);

        var first = SessionAffinityCookies.ForStep(Affinity, SessionAffinityCookies.None, 10, values.Dequeue);
        var second = SessionAffinityCookies.ForStep(Affinity, first, 20, () => throw new InvalidOperationException("no new cookie expected"));

        Assert.Equal(new SessionAffinityCookies("canary=aaaaaaaaaa", "primary=bbbbbbbbbb", null), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Without_a_primary_cookie_name_the_primary_cookie_is_still_recorded_with_an_empty_name_as_upstream()
    {
        var cookies = SessionAffinityCookies.ForStep(new SessionAffinity { CookieName = "canary" }, SessionAffinityCookies.None, 5, () => "xxxxxxxxxx");

        // upstream v1.44 pkg/router/istio.go sets primarySessionAffinityCookie unconditionally
        Assert.Equal(new SessionAffinityCookies("canary=xxxxxxxxxx", "=xxxxxxxxxx", null), cookies);
    }

    [Fact]
    public void No_canary_traffic_moves_the_current_cookie_to_previous_and_keeps_the_primary_cookie()
    {
        var during = new SessionAffinityCookies("canary=aaaaaaaaaa", "primary=bbbbbbbbbb", "canary=oldoldoldo");

        var after = SessionAffinityCookies.ForStep(Affinity, during, 0, () => "unused");
        var again = SessionAffinityCookies.ForStep(Affinity, after, 0, () => "unused");

        Assert.Equal(new SessionAffinityCookies(null, "primary=bbbbbbbbbb", "canary=aaaaaaaaaa"), after);
        Assert.Equal(after, again);
    }

    [Fact]
    public void Without_session_affinity_cookies_are_left_as_they_are()
    {
        var current = new SessionAffinityCookies("canary=aaaaaaaaaa", null, null);

        Assert.Same(current, SessionAffinityCookies.ForStep(null, current, 0, () => "unused"));
    }

    [Fact]
    public void Cookies_round_trip_through_the_status_with_empty_strings_as_absent()
    {
        var status = new CanaryStatus { SessionAffinityCookie = "", PrimarySessionAffinityCookie = "primary=b", PreviousSessionAffinityCookie = "canary=a" };

        var cookies = SessionAffinityCookies.FromStatus(status);
        var written = new CanaryStatus();
        cookies.ApplyTo(written);

        Assert.Equal(new SessionAffinityCookies(null, "primary=b", "canary=a"), cookies);
        Assert.Null(written.SessionAffinityCookie);
        Assert.Equal("primary=b", written.PrimarySessionAffinityCookie);
        Assert.Equal("canary=a", written.PreviousSessionAffinityCookie);
    }

    [Fact]
    public void Random_values_are_ten_ascii_letters()
    {
        var value = SessionAffinityCookies.RandomValue();

        Assert.Matches("^[a-zA-Z]{10}$", value);
    }
}
