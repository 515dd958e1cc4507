namespace Flagger.Simulator.Traffic.Routes;

/// <summary>
/// How one Service's requests are routed: the first rule whose matches accept a request's headers takes it; a request
/// no rule accepts is dropped (as a proxy with no matching route answers 404 without reaching a workload).
/// </summary>
internal sealed record Route(IReadOnlyList<RouteRule> Rules)
{
    /// <summary>The rule that takes requests carrying <paramref name="headers"/> (lower-case names), or null.</summary>
    public RouteRule? RuleFor(IReadOnlyDictionary<string, string> headers) => Rules.FirstOrDefault(r => r.Accepts(headers));
}

/// <summary>One routing rule of a <see cref="Route"/>.</summary>
/// <param name="Matches">Alternatives (any may match), each a conjunction of header conditions; no alternatives, or an empty one, accept every request.</param>
/// <param name="Destinations">Services that split the rule's requests in proportion to their weights (weight 0: nothing).</param>
/// <param name="Mirror">A Service that receives a copy of a percentage of the rule's requests, or null.</param>
internal sealed record RouteRule(
    IReadOnlyList<IReadOnlyList<HeaderCondition>> Matches,
    IReadOnlyList<WeightedDestination> Destinations,
    MirrorDestination? Mirror)
{
    public bool Accepts(IReadOnlyDictionary<string, string> headers) =>
        Matches.Count == 0 || Matches.Any(all => all.All(c => c.Accepts(headers)));
}

/// <summary>A Service (in the route's namespace) that receives <see cref="Weight"/> parts of a rule's requests.</summary>
/// <param name="Service">The destination Service's name.</param>
/// <param name="Weight">Its share of the rule's requests, relative to the other destinations' weights.</param>
/// <param name="Via">
/// The routing object that carries these requests to the Service (e.g. <c>podinfo-canary</c>, the canary Ingress),
/// for exporters whose series name the proxy's route rather than the Service; null when none is needed.
/// </param>
internal sealed record WeightedDestination(string Service, double Weight, string? Via = null);

/// <summary>A Service that receives a copy of <see cref="Percent"/> % of a rule's requests.</summary>
/// <param name="Service">The mirror Service's name.</param>
/// <param name="Percent">The percentage of the rule's requests copied to it.</param>
/// <param name="Via">As <see cref="WeightedDestination.Via"/>.</param>
internal sealed record MirrorDestination(string Service, double Percent, string? Via = null);
