namespace Flagger.Modules.Alerting;

/// <summary>Where and how a notifier posts: hook URL, optional bearer token and optional proxy.</summary>
internal sealed record NotifierEndpoint(Uri Url, string? Token, string? Proxy);
