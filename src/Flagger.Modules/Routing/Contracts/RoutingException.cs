namespace Flagger.Modules.Routing.Contracts;

/// <summary>
/// A routing failure the user has to fix or wait out (invalid service spec, unsupported provider, a routing object
/// without the expected routes). The message names the object or the field; it is meant for the Canary's
/// condition and a Warning event. API failures surface as <c>KubeApiException</c> instead (retriable).
/// </summary>
public sealed class RoutingException(string message, Exception? inner = null) : Exception(message, inner);
