using Flagger.Modules.Routing.Contracts;

namespace Flagger.Modules.Rollout.StateMachine;

internal sealed partial class CanaryStateMachine
{
    private sealed partial class Run
    {
        /// <summary>Session affinity is configured and the provider's router implements it (catalog row).</summary>
        private bool SupportsSessionAffinity =>
            _settings.SessionAffinity is not null && _settings.Capabilities?.SessionAffinity == true;

        // emits SetRoutes with the session-affinity cookies of the step; refuses canary traffic to a canary that cannot serve
        private bool Route(int primaryWeight, int canaryWeight, bool mirrored)
        {
            if ((canaryWeight > 0 || mirrored) && !CanaryCanTakeTraffic)
            {
                if (_obs.Canary.Scale == ScaleState.Zero)
                {
                    Warn($"{TargetNs} is scaled to zero, not routing traffic to it");
                    Add(new ScaleTargetUp());
                }

                return false;
            }

            Add(new SetRoutes(primaryWeight, canaryWeight, mirrored) { Cookies = CookiesForStep(canaryWeight) });
            return true;
        }

        // upstream: pkg/router/istio.go getSessionAffinityRouteRules, through the one cookie rule; the decided cookies
        // are written with this tick's status
        private SessionAffinityCookies CookiesForStep(int canaryWeight)
        {
            var current = SessionAffinityCookies.FromStatus(_status);
            if (!SupportsSessionAffinity)
            {
                return current;
            }

            var next = SessionAffinityCookies.ForStep(_settings.SessionAffinity, current, canaryWeight, NewCookieValues().Dequeue);
            if (next != current)
            {
                next.ApplyTo(_status);
                _dirty = true;
            }

            return next;
        }

        // the tick's random values, in the order ForStep draws them (canary cookie, then primary cookie)
        private Queue<string> NewCookieValues() => new([input.NewCookieValue, input.NewPrimaryCookieValue]);
    }
}
