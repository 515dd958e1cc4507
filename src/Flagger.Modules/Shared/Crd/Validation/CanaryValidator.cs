using System.Globalization;
using Flagger.Modules.Shared.Providers;

namespace Flagger.Modules.Shared.Crd.Validation;

/// <summary>
/// Semantic checks of Flagger objects that the CRD schema cannot express (or that an older, upstream CRD did not
/// enforce). Returns every problem as data, never throws on bad input; an empty list means valid.
/// </summary>
/// <example>
/// <code>
/// var errors = CanaryValidator.Validate(canary, new ValidationOptions(NoCrossNamespaceRefs: true));
/// if (errors.Count > 0) { /* condition + event: string.Join("; ", errors) */ }
/// </code>
/// </example>
// upstream: pkg/controller/controller.go, verifyCanary (cross-namespace refs, Knative, session affinity cookies);
// the other rules turn upstream's run-time failures and silent fallbacks into errors the user sees up front.
public static partial class CanaryValidator
{
    private const int MaxGatewayRefs = 32;

    // Capability lists come from the catalog; the default provider is named first, as in the messages users know.
    private static readonly string[] MirrorProviders = Supporting(r => r.Mirroring != MirroringSupport.None);
    private static readonly string[] SessionAffinityProviders = Supporting(r => r.SessionAffinity);
    private static readonly string[] AbTestingProviders = Supporting(r => r.AbTesting);

    /// <summary>
    /// The most HTTP retries a webhook may ask for (<c>analysis.webhooks[].retries</c>). Each retry waits for the hook's
    /// timeout, so more than this would keep one gate busy for far longer than any analysis interval.
    /// </summary>
    public const int MaxWebhookRetries = 10;

    /// <summary>Validates a Canary.</summary>
    public static IReadOnlyList<ValidationError> Validate(Canary canary, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(canary);
        options ??= ValidationOptions.Default;
        var errors = new List<ValidationError>();
        var spec = canary.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "required"));
            return errors;
        }

        var ns = canary.Metadata?.NamespaceProperty ?? "";
        var provider = ValidateProvider(spec, options, errors);
        var knativeTarget = ValidateTarget(spec, errors);
        ValidateAutoscaler(spec, knativeTarget, errors);
        ValidateProviderRefs(spec, provider, ns, options, errors);
        ValidateService(spec, provider, knativeTarget, errors);
        ValidateAnalysis(spec.Analysis, provider, ns, options, errors);

        if (spec.ProgressDeadlineSeconds is < 0)
        {
            errors.Add(new("spec.progressDeadlineSeconds", $"must not be negative (got {spec.ProgressDeadlineSeconds})"));
        }

        return errors;
    }

    /// <summary>
    /// Settings that are valid but do nothing for this canary: fields only another provider reads (see
    /// <see cref="ProviderCatalog.ProviderSpecificFields"/>). Reported as Warning events, never as a condition.
    /// </summary>
    public static IReadOnlyList<ValidationError> Warnings(Canary canary, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(canary);
        options ??= ValidationOptions.Default;
        var spec = canary.Spec;
        var row = spec is null ? null : ProviderCatalog.Find(string.IsNullOrEmpty(spec.Provider) ? options.DefaultProvider : spec.Provider);
        if (row is null)
        {
            return [];
        }

        var warnings = new List<ValidationError>();
        foreach (var (field, families) in ProviderCatalog.ProviderSpecificFields)
        {
            if (IsSet(spec!, field) && !families.Contains(row.Family))
            {
                warnings.Add(new(field, $"ignored by provider {row.Name} (only {Join(families)} read it)"));
            }
        }

        return warnings;
    }

    private static bool IsSet(CanarySpec spec, string field) => field switch
    {
        "spec.ingressRef" => spec.IngressRef is not null,
        "spec.routeRef" => spec.RouteRef is not null,
        "spec.upstreamRef" => spec.UpstreamRef is not null,
        "spec.service.gatewayRefs" => spec.Service?.GatewayRefs is { Count: > 0 },
        "spec.service.mirror" => spec.Service?.Mirror is { Count: > 0 },
        "spec.service.meshName" => !string.IsNullOrEmpty(spec.Service?.MeshName),
        "spec.service.backends" => spec.Service?.Backends is { Count: > 0 },
        "spec.service.delegation" => spec.Service?.Delegation == true,
        _ => throw new InvalidOperationException($"the provider catalog names an unknown field {field}"),
    };

    /// <summary>Validates a MetricTemplate.</summary>
    public static IReadOnlyList<ValidationError> Validate(MetricTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<ValidationError>();
        var provider = template.Spec?.Provider;
        if (provider is null)
        {
            errors.Add(new("spec.provider", "required (type and address of the metrics backend)"));
        }
        else
        {
            if (string.IsNullOrEmpty(provider.Type))
            {
                errors.Add(new("spec.provider.type", $"required (one of {Join(KnownValues.MetricProviderTypes)})"));
            }
            else if (!KnownValues.MetricProviderTypes.Contains(provider.Type))
            {
                errors.Add(new("spec.provider.type", $"unknown metric provider \"{provider.Type}\" (known: {Join(KnownValues.MetricProviderTypes)})"));
            }

            if (provider.Type is "prometheus" or "graphite" or "influxdb" or "dynatrace" or "splunk" && string.IsNullOrEmpty(provider.Address))
            {
                errors.Add(new("spec.provider.address", $"required for provider {provider.Type} (the URL of its API)"));
            }

            if (!string.IsNullOrEmpty(provider.Address) && !IsAbsoluteHttpUrl(provider.Address))
            {
                errors.Add(new("spec.provider.address", $"\"{provider.Address}\" is not an absolute http(s) URL"));
            }

            if (provider.Type == "cloudwatch" && string.IsNullOrEmpty(provider.Region))
            {
                errors.Add(new("spec.provider.region", "required for provider cloudwatch"));
            }

            if (provider.SecretRef is { } secret && string.IsNullOrEmpty(secret.Name))
            {
                errors.Add(new("spec.provider.secretRef.name", "required"));
            }

            if (provider.Type == "splunk" && provider.SecretRef is null)
            {
                errors.Add(new("spec.provider.secretRef", "required for provider splunk (a Secret with key sf_token_key)"));
            }
        }

        if (string.IsNullOrWhiteSpace(template.Spec?.Query))
        {
            errors.Add(new("spec.query", "required (the query to run, a Go text/template)"));
        }
        else if (provider is not null && QueryShapeError(provider.Type, template.Spec.Query) is { } queryError)
        {
            errors.Add(new("spec.query", queryError));
        }

        return errors;
    }

    /// <summary>Query shapes a provider requires that can be checked before rendering (upstream fails them at run time).</summary>
    private static string? QueryShapeError(string? type, string query)
    {
        switch (type)
        {
            case "cloudwatch":
                try
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(query);
                    return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array
                        ? null
                        : "for provider cloudwatch must be a JSON array of MetricDataQuery objects";
                }
                catch (System.Text.Json.JsonException e)
                {
                    // A template action outside a JSON string (e.g. "Period": {{ … }}) only becomes JSON once rendered.
                    return query.Contains("{{", StringComparison.Ordinal)
                        ? null
                        : $"for provider cloudwatch must be a JSON array of MetricDataQuery objects ({e.Message})";
                }

            case "keptn":
                var parts = query.Trim().ToLowerInvariant().Split('/');
                return parts.Length >= 3 && parts[0] is "keptnmetric" or "keptnmetrics" or "analysis" or "analyses"
                    ? null
                    : "for provider keptn must be keptnmetric/<namespace>/<name> or analysis/<namespace>/<definition>[/<duration>[/<key=value;…>]]";
            default:
                return null;
        }
    }

    /// <summary>Validates an AlertProvider.</summary>
    public static IReadOnlyList<ValidationError> Validate(AlertProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var errors = new List<ValidationError>();
        var spec = provider.Spec ?? new AlertProviderSpec();
        if (string.IsNullOrEmpty(spec.Type))
        {
            errors.Add(new("spec.type", $"required (one of {Join(KnownValues.AlertProviderTypes)})"));
        }
        else if (!KnownValues.AlertProviderTypes.Contains(spec.Type))
        {
            errors.Add(new("spec.type", $"unknown alert provider \"{spec.Type}\" (known: {Join(KnownValues.AlertProviderTypes)})"));
        }

        if (string.IsNullOrEmpty(spec.Address) && spec.SecretRef is null)
        {
            errors.Add(new("spec", "set address or secretRef (a Secret with key address)"));
        }

        if (!string.IsNullOrEmpty(spec.Address) && !IsAbsoluteHttpUrl(spec.Address))
        {
            errors.Add(new("spec.address", $"\"{spec.Address}\" is not an absolute http(s) URL"));
        }

        if (!string.IsNullOrEmpty(spec.Proxy) && !IsAbsoluteHttpUrl(spec.Proxy))
        {
            errors.Add(new("spec.proxy", $"\"{spec.Proxy}\" is not an absolute http(s) URL"));
        }

        if (spec.SecretRef is { } secret && string.IsNullOrEmpty(secret.Name))
        {
            errors.Add(new("spec.secretRef.name", "required"));
        }

        return errors;
    }

    // Returns the effective provider, or null when it is unknown (provider-specific checks are then skipped so that
    // one wrong name does not produce a cascade of follow-up errors).
    private static string? ValidateProvider(CanarySpec spec, ValidationOptions options, List<ValidationError> errors)
    {
        if (!string.IsNullOrEmpty(spec.Provider))
        {
            if (!ProviderCatalog.IsKnown(spec.Provider))
            {
                errors.Add(new("spec.provider", $"unknown provider \"{spec.Provider}\" (known: {Join(ProviderCatalog.Names)})"));
                return null;
            }

            return spec.Provider;
        }

        if (!ProviderCatalog.IsKnown(options.DefaultProvider))
        {
            errors.Add(new("spec.provider", $"not set, and the operator's default provider \"{options.DefaultProvider}\" is unknown (known: {Join(ProviderCatalog.Names)})"));
            return null;
        }

        return options.DefaultProvider;
    }

    private static bool ValidateTarget(CanarySpec spec, List<ValidationError> errors)
    {
        var target = spec.TargetRef;
        if (target is null)
        {
            errors.Add(new("spec.targetRef", "required (apiVersion, kind and name of the workload to release)"));
            return false;
        }

        if (string.IsNullOrEmpty(target.Name))
        {
            errors.Add(new("spec.targetRef.name", "required"));
        }

        if (string.IsNullOrEmpty(target.ApiVersion))
        {
            errors.Add(new("spec.targetRef.apiVersion", "required (apps/v1 for a Deployment or DaemonSet, v1 for a Service)"));
        }

        if (string.IsNullOrEmpty(target.Kind))
        {
            errors.Add(new("spec.targetRef.kind", $"required (one of {Join(KnownValues.TargetKinds)})"));
        }
        else if (!KnownValues.TargetKinds.Contains(target.Kind))
        {
            errors.Add(new("spec.targetRef.kind", $"unsupported target kind \"{target.Kind}\" (supported: {Join(KnownValues.TargetKinds)})"));
        }

        var knative = KnownValues.IsKnativeTarget(spec);

        // upstream: pkg/controller/controller.go, verifyKnativeCanary (compares spec.provider, not the global default)
        if (knative && spec.Provider != "knative")
        {
            errors.Add(new("spec.provider", $"a Knative Service target needs provider knative (got \"{spec.Provider ?? ""}\")"));
        }
        else if (!knative && spec.Provider == "knative")
        {
            errors.Add(new("spec.targetRef", $"provider knative needs a Knative Service target (apiVersion {KnownValues.KnativeServiceApiVersion}, kind Service), not {target.ApiVersion}/{target.Kind}"));
        }

        return knative;
    }

    private static void ValidateAutoscaler(CanarySpec spec, bool knativeTarget, List<ValidationError> errors)
    {
        var scaler = spec.AutoscalerRef;
        if (scaler is null)
        {
            return;
        }

        if (knativeTarget)
        {
            errors.Add(new("spec.autoscalerRef", "not supported with a Knative Service target (Knative scales revisions itself)"));
        }

        if (string.IsNullOrEmpty(scaler.Name))
        {
            errors.Add(new("spec.autoscalerRef.name", "required"));
        }

        if (string.IsNullOrEmpty(scaler.Kind))
        {
            errors.Add(new("spec.autoscalerRef.kind", $"required (one of {Join(KnownValues.AutoscalerKinds)})"));
        }
        else if (!KnownValues.AutoscalerKinds.Contains(scaler.Kind))
        {
            errors.Add(new("spec.autoscalerRef.kind", $"unsupported autoscaler kind \"{scaler.Kind}\" (supported: {Join(KnownValues.AutoscalerKinds)})"));
        }

        if (scaler.PrimaryScalerReplicas is { } replicas)
        {
            const string path = "spec.autoscalerRef.primaryScalerReplicas";
            if (replicas.MinReplicas is < 1)
            {
                errors.Add(new($"{path}.minReplicas", $"must be at least 1 (got {replicas.MinReplicas})"));
            }

            if (replicas.MaxReplicas is < 1)
            {
                errors.Add(new($"{path}.maxReplicas", $"must be at least 1 (got {replicas.MaxReplicas})"));
            }

            if (replicas.MinReplicas is { } min && replicas.MaxReplicas is { } max && min > max)
            {
                errors.Add(new($"{path}.minReplicas", $"must not exceed maxReplicas ({min} > {max})"));
            }
        }
    }

    private static void ValidateProviderRefs(CanarySpec spec, string? provider, string ns, ValidationOptions options, List<ValidationError> errors)
    {
        RequireReferences(spec, provider, service: false, errors);

        if (spec.IngressRef is { Name: null or "" })
        {
            errors.Add(new("spec.ingressRef.name", "required"));
        }

        if (spec.RouteRef is { Name: null or "" })
        {
            errors.Add(new("spec.routeRef.name", "required"));
        }

        if (spec.UpstreamRef is { } upstream)
        {
            if (string.IsNullOrEmpty(upstream.Name))
            {
                errors.Add(new("spec.upstreamRef.name", "required"));
            }

            // upstream: pkg/controller/controller.go, verifyNoCrossNamespaceRefs
            if (options.NoCrossNamespaceRefs && !string.IsNullOrEmpty(upstream.Namespace) && upstream.Namespace != ns)
            {
                errors.Add(new("spec.upstreamRef.namespace", CrossNamespace("gloo upstream", upstream.Name, upstream.Namespace, ns)));
            }
        }
    }

    // The catalog's required references of the provider; those under spec.service are checked with the service block.
    private static void RequireReferences(CanarySpec spec, string? provider, bool service, List<ValidationError> errors)
    {
        foreach (var reference in ProviderCatalog.Find(provider)?.RequiredReferences ?? [])
        {
            if (reference.Field.StartsWith("spec.service.", StringComparison.Ordinal) != service)
            {
                continue;
            }

            if (!IsSet(spec, reference.Field))
            {
                errors.Add(new(reference.Field, $"required by provider {provider} ({reference.Purpose})"));
            }
        }
    }

    private static string[] Supporting(Func<RoutingProviderCapabilities, bool> capability) =>
        [.. ProviderCatalog.Routers.Where(capability).OrderBy(r => r.Name != CanaryDefaults.MeshProvider).Select(r => r.Name)];

    private static void ValidateService(CanarySpec spec, string? provider, bool knativeTarget, List<ValidationError> errors)
    {
        var service = spec.Service;
        if (service is null)
        {
            if (!knativeTarget)
            {
                errors.Add(new("spec.service", "required (at least port) unless the target is a Knative Service"));
            }

            return;
        }

        if (service.Port is null)
        {
            errors.Add(new("spec.service.port", "required"));
        }
        else if (service.Port is < 1 or > 65535)
        {
            errors.Add(new("spec.service.port", $"must be between 1 and 65535 (got {service.Port})"));
        }

        if (service.TargetPort is { Value: var targetPort })
        {
            if (string.IsNullOrEmpty(targetPort))
            {
                errors.Add(new("spec.service.targetPort", "must be a port number or a container port name"));
            }
            else if (int.TryParse(targetPort, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number is < 1 or > 65535)
            {
                errors.Add(new("spec.service.targetPort", $"must be between 1 and 65535 (got {number})"));
            }
        }

        ValidateDuration("spec.service.timeout", service.Timeout, errors);
        ValidateDuration("spec.service.backendTimeout", service.BackendTimeout, errors);
        ValidateDuration("spec.service.retries.perTryTimeout", service.Retries?.PerTryTimeout, errors);

        if (provider == "istio" && service.Delegation == true && (service.Hosts is { Count: > 0 } || service.Gateways is { Count: > 0 }))
        {
            errors.Add(new("spec.service.delegation", "cannot be combined with service.hosts or service.gateways (a delegate VirtualService has neither)"));
        }

        RequireReferences(spec, provider, service: true, errors);
        if (service.GatewayRefs is { Count: > MaxGatewayRefs } refs)
        {
            // the CRD's maxItems (Gateway API's bound on an HTTPRoute's parentRefs)
            errors.Add(new("spec.service.gatewayRefs", $"must have at most {MaxGatewayRefs} items (got {refs.Count})"));
        }

        for (var i = 0; i < (service.Mirror?.Count ?? 0); i++)
        {
            var path = $"spec.service.mirror[{i}].backendRef";
            var backend = service.Mirror![i].BackendRef;
            if (backend is null)
            {
                errors.Add(new(path, "required"));
                continue;
            }

            if (string.IsNullOrEmpty(backend.Name))
            {
                errors.Add(new($"{path}.name", "required"));
            }

            // The CRD's CEL rule, checked here too because not every cluster evaluates it.
            if (string.IsNullOrEmpty(backend.Group) && (backend.Kind ?? "Service") == "Service" && backend.Port is null)
            {
                errors.Add(new($"{path}.port", "required for a Service reference"));
            }
        }
    }

    private static void ValidateAnalysis(CanaryAnalysis? analysis, string? provider, string ns, ValidationOptions options, List<ValidationError> errors)
    {
        if (analysis is null)
        {
            errors.Add(new("spec.analysis", "required (interval, threshold and one of iterations, stepWeight or stepWeights)"));
            return;
        }

        if (string.IsNullOrEmpty(analysis.Interval))
        {
            errors.Add(new("spec.analysis.interval", "required (time between analysis steps, e.g. 1m)"));
        }
        else if (GoDuration.TryParse(analysis.Interval, out var interval, out var error))
        {
            if (interval <= TimeSpan.Zero)
            {
                errors.Add(new("spec.analysis.interval", $"must be positive (got {analysis.Interval})"));
            }
            else if (!IntervalPattern().IsMatch(analysis.Interval))
            {
                // upstream's CRD pattern: a canary that skipped schema validation must not run what the API server rejects
                errors.Add(new("spec.analysis.interval", $"must start with minutes or seconds, e.g. 1m, 30s or 1m30s (got {analysis.Interval}; the CRD's pattern is ^[0-9]+(m|s))"));
            }
        }
        else
        {
            errors.Add(new("spec.analysis.interval", error));
        }

        if (analysis.Threshold is null)
        {
            errors.Add(new("spec.analysis.threshold", "required (failed checks before rollback)"));
        }
        else if (analysis.Threshold < 0)
        {
            errors.Add(new("spec.analysis.threshold", $"must not be negative (got {analysis.Threshold})"));
        }

        ValidateTrafficShape(analysis, errors);
        ValidatePercent("spec.analysis.maxWeight", analysis.MaxWeight, errors);
        ValidatePercent("spec.analysis.stepWeight", analysis.StepWeight, errors);
        ValidatePercent("spec.analysis.stepWeightPromotion", analysis.StepWeightPromotion, errors);
        ValidatePercent("spec.analysis.mirrorWeight", analysis.MirrorWeight, errors);
        ValidatePercent("spec.analysis.primaryReadyThreshold", analysis.PrimaryReadyThreshold, errors);
        ValidatePercent("spec.analysis.canaryReadyThreshold", analysis.CanaryReadyThreshold, errors);

        if (analysis.Mirror == true && provider is not null && !MirrorProviders.Contains(provider))
        {
            errors.Add(new("spec.analysis.mirror", $"traffic mirroring is not supported by provider {provider} (supported: {Join(MirrorProviders)})"));
        }

        ValidateSessionAffinity(analysis.SessionAffinity, provider, errors);
        ValidateProviderCapabilities(analysis, provider, errors);
        ValidateMatch(analysis.Match, errors);
        ValidateMetrics(analysis.Metrics, ns, options, errors);
        ValidateWebhooks(analysis.Webhooks, errors);
        ValidateAlerts(analysis.Alerts, ns, options, errors);
    }

    private static void ValidateTrafficShape(CanaryAnalysis analysis, List<ValidationError> errors)
    {
        var hasIterations = analysis.Iterations is not null;
        var hasStepWeight = analysis.StepWeight is not null;
        var hasStepWeights = analysis.StepWeights is not null;
        var count = (hasIterations ? 1 : 0) + (hasStepWeight ? 1 : 0) + (hasStepWeights ? 1 : 0);
        if (count == 0)
        {
            errors.Add(new("spec.analysis", "set one of iterations (blue/green, A/B testing), stepWeight or stepWeights (progressive canary)"));
        }
        else if (hasIterations && hasStepWeight)
        {
            errors.Add(new("spec.analysis.stepWeight", "cannot be combined with iterations (iterations selects blue/green or A/B testing, stepWeight a progressive canary)"));
        }
        else if (hasIterations && hasStepWeights)
        {
            errors.Add(new("spec.analysis.stepWeights", "cannot be combined with iterations (iterations selects blue/green or A/B testing, stepWeights a progressive canary)"));
        }
        else if (hasStepWeight && hasStepWeights)
        {
            errors.Add(new("spec.analysis.stepWeights", "cannot be combined with stepWeight (use one of them)"));
        }

        if (analysis.Iterations is < 0)
        {
            errors.Add(new("spec.analysis.iterations", $"must not be negative (got {analysis.Iterations})"));
        }

        if (analysis.StepWeights is { } steps)
        {
            if (steps.Count == 0)
            {
                errors.Add(new("spec.analysis.stepWeights", "must not be empty"));
            }

            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i] is < 1 or > 100)
                {
                    errors.Add(new($"spec.analysis.stepWeights[{i}]", $"must be between 1 and 100 (got {steps[i]})"));
                }
                else if (i > 0 && steps[i] <= steps[i - 1])
                {
                    errors.Add(new($"spec.analysis.stepWeights[{i}]", $"must be strictly increasing ({steps[i]} follows {steps[i - 1]})"));
                }
            }
        }

        if (analysis.Match is { Count: > 0 } && analysis.Iterations is not > 0)
        {
            errors.Add(new("spec.analysis.match", "A/B testing needs iterations (a run with match but no iterations never routes by match)"));
        }
    }

    // Fields a provider cannot honour are errors, not silent ignores: A/B matching without header or cookie routing, and
    // traffic weights with a blue/green-only provider (upstream silently ran 10 blue/green iterations instead).
    private static void ValidateProviderCapabilities(CanaryAnalysis analysis, string? provider, List<ValidationError> errors)
    {
        if (ProviderCatalog.Find(provider) is not { } row)
        {
            return;
        }

        if (analysis.Match is { Count: > 0 } && !row.AbTesting)
        {
            errors.Add(new("spec.analysis.match", $"A/B testing is not supported by provider {provider} (supported: {Join(AbTestingProviders)})"));
        }

        if (!row.ProgressiveTraffic)
        {
            foreach (var (field, set) in new[] { ("stepWeight", analysis.StepWeight is not null), ("stepWeights", analysis.StepWeights is not null), ("maxWeight", analysis.MaxWeight is not null) })
            {
                if (set)
                {
                    errors.Add(new($"spec.analysis.{field}", $"provider {provider} only does blue/green (no traffic weights): use iterations instead"));
                }
            }
        }

        if (analysis.Match is { Count: > 0 } && row.AbTesting)
        {
            ValidateMatchKinds(analysis.Match, row, errors);
        }

        // upstream mirrors only in blue/green runs on these providers and ignores the flag otherwise; we reject it.
        if (analysis.Mirror == true && row.Mirroring == MirroringSupport.BlueGreenOnly && !(analysis.Iterations > 0))
        {
            errors.Add(new("spec.analysis.mirror", $"provider {provider} mirrors traffic in blue/green runs only (set analysis.iterations, without stepWeight/stepWeights/maxWeight)"));
        }

        if (!string.IsNullOrEmpty(analysis.SessionAffinity?.PrimaryCookieName) && row.SessionAffinity && !row.PrimarySessionCookie)
        {
            errors.Add(new("spec.analysis.sessionAffinity.primaryCookieName",
                $"provider {provider} does not support a primary session cookie (supported: {Join(Supporting(r => r.PrimarySessionCookie))})"));
        }

        // No provider routes a returning A/B user by the session cookie, so the cookie would be written for nothing.
        if (analysis.Match is { Count: > 0 } && analysis.SessionAffinity is not null)
        {
            errors.Add(new("spec.analysis.sessionAffinity", "cannot be combined with analysis.match (A/B testing routes by the match rules, sticky sessions are for progressive canaries)"));
        }
    }

    // A comparison the provider cannot express would be dropped by its router (upstream wrote nothing, or an empty
    // condition matching every request): name it instead.
    private static void ValidateMatchKinds(List<HttpMatchRequest> match, RoutingProviderCapabilities row, List<ValidationError> errors)
    {
        for (var i = 0; i < match.Count; i++)
        {
            foreach (var (name, value) in match[i].Headers ?? [])
            {
                var cookie = row.CookieMatching && string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase);
                var allowed = cookie ? row.CookieMatchKinds : row.HeaderMatchKinds;
                foreach (var (kind, set) in new[]
                {
                    (StringMatchKinds.Exact, value?.Exact is not null), (StringMatchKinds.Prefix, value?.Prefix is not null),
                    (StringMatchKinds.Suffix, value?.Suffix is not null), (StringMatchKinds.Regex, value?.Regex is not null),
                })
                {
                    if (set && !allowed.HasFlag(kind))
                    {
                        errors.Add(new($"spec.analysis.match[{i}].headers.{name}.{kind.ToString().ToLowerInvariant()}",
                            $"provider {row.Name} cannot match {(cookie ? "cookies" : "headers")} by {kind.ToString().ToLowerInvariant()} (supported: {Kinds(allowed)})"));
                    }
                }
            }
        }
    }

    private static string Kinds(StringMatchKinds kinds) =>
        string.Join(", ", Enum.GetValues<StringMatchKinds>().Where(k => k is not StringMatchKinds.None and not StringMatchKinds.All && kinds.HasFlag(k)).Select(k => k.ToString().ToLowerInvariant()));

    private static void ValidateMatch(List<HttpMatchRequest>? match, List<ValidationError> errors)
    {
        for (var i = 0; i < (match?.Count ?? 0); i++)
        {
            foreach (var (name, value) in match![i].Headers ?? [])
            {
                if (value?.Regex is { } pattern && RegexError(pattern) is { } error)
                {
                    errors.Add(new($"spec.analysis.match[{i}].headers.{name}.regex", $"\"{pattern}\" is not a valid regular expression: {error}"));
                }
            }
        }
    }

    private static string? RegexError(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (System.Text.RegularExpressions.RegexParseException e)
        {
            // .NET: "Invalid pattern '(a' at offset 2. Not enough )'s." — keep the reason, without repeating the pattern.
            var reason = e.Message[(e.Message.IndexOf(". ", StringComparison.Ordinal) + 2)..].TrimEnd('.');
            return $"{reason} (at offset {e.Offset})";
        }
    }

    private static void ValidateSessionAffinity(SessionAffinity? affinity, string? provider, List<ValidationError> errors)
    {
        if (affinity is null)
        {
            return;
        }

        const string path = "spec.analysis.sessionAffinity";
        if (string.IsNullOrEmpty(affinity.CookieName))
        {
            errors.Add(new($"{path}.cookieName", "required"));
        }
        else if (affinity.CookieName == affinity.PrimaryCookieName)
        {
            // upstream: pkg/controller/controller.go, verifySessionAffinity
            errors.Add(new($"{path}.primaryCookieName", "must differ from cookieName"));
        }

        if (affinity.MaxAge is < 0)
        {
            errors.Add(new($"{path}.maxAge", $"must not be negative (got {affinity.MaxAge})"));
        }

        if (provider is not null && !SessionAffinityProviders.Contains(provider))
        {
            errors.Add(new(path, $"session affinity is not supported by provider {provider} (supported: {Join(SessionAffinityProviders)})"));
        }
    }

    private static void ValidateMetrics(List<CanaryMetric>? metrics, string ns, ValidationOptions options, List<ValidationError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (metrics?.Count ?? 0); i++)
        {
            var metric = metrics![i];
            var path = $"spec.analysis.metrics[{i}]";
            if (string.IsNullOrEmpty(metric.Name))
            {
                errors.Add(new($"{path}.name", "required"));
            }
            else if (!seen.TryAdd(metric.Name, i))
            {
                errors.Add(new($"{path}.name", $"duplicate metric name \"{metric.Name}\" (also metrics[{seen[metric.Name]}])"));
            }

            ValidateDuration($"{path}.interval", metric.Interval, errors);

            if (metric.ThresholdRange is { Min: { } min, Max: { } max } && min > max)
            {
                errors.Add(new($"{path}.thresholdRange", $"min must not exceed max ({min.ToString(CultureInfo.InvariantCulture)} > {max.ToString(CultureInfo.InvariantCulture)})"));
            }

            var builtin = metric.Name is not null && KnownValues.BuiltinMetrics.Contains(metric.Name);
            if (!builtin && metric.TemplateRef is null && string.IsNullOrWhiteSpace(metric.Query) && !string.IsNullOrEmpty(metric.Name))
            {
                errors.Add(new(path, $"metric \"{metric.Name}\" needs a templateRef (only request-success-rate and request-duration are builtin)"));
            }

            if (metric.TemplateRef is { } template)
            {
                if (string.IsNullOrEmpty(template.Name))
                {
                    errors.Add(new($"{path}.templateRef.name", "required"));
                }

                if (options.NoCrossNamespaceRefs && !string.IsNullOrEmpty(template.Namespace) && template.Namespace != ns)
                {
                    errors.Add(new($"{path}.templateRef.namespace", CrossNamespace("metric template", template.Name, template.Namespace, ns)));
                }
            }
        }
    }

    private static void ValidateWebhooks(List<CanaryWebhook>? webhooks, List<ValidationError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (webhooks?.Count ?? 0); i++)
        {
            var hook = webhooks![i];
            var path = $"spec.analysis.webhooks[{i}]";
            if (string.IsNullOrEmpty(hook.Name))
            {
                errors.Add(new($"{path}.name", "required"));
            }
            else if (!seen.TryAdd(hook.Name, i))
            {
                errors.Add(new($"{path}.name", $"duplicate webhook name \"{hook.Name}\" (also webhooks[{seen[hook.Name]}])"));
            }

            if (hook.Type is not null && !KnownValues.WebhookTypes.Contains(hook.Type))
            {
                errors.Add(new($"{path}.type", $"unknown webhook type \"{hook.Type}\" (known: {Join(KnownValues.WebhookTypes.Where(t => t.Length > 0))})"));
            }

            if (string.IsNullOrEmpty(hook.Url))
            {
                errors.Add(new($"{path}.url", "required"));
            }
            else if (!IsAbsoluteHttpUrl(hook.Url))
            {
                errors.Add(new($"{path}.url", $"\"{hook.Url}\" is not an absolute http(s) URL"));
            }

            // Upstream ignores timeouts shorter than two characters (uses 10s); anything longer must parse.
            if (hook.Timeout is { Length: >= 2 })
            {
                ValidateDuration($"{path}.timeout", hook.Timeout, errors);
            }

            if (hook.Retries is < 0 or > MaxWebhookRetries)
            {
                errors.Add(new($"{path}.retries", $"must be between 0 and {MaxWebhookRetries} (got {hook.Retries})"));
            }
        }
    }

    private static void ValidateAlerts(List<CanaryAlert>? alerts, string ns, ValidationOptions options, List<ValidationError> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (alerts?.Count ?? 0); i++)
        {
            var alert = alerts![i];
            var path = $"spec.analysis.alerts[{i}]";
            if (string.IsNullOrEmpty(alert.Name))
            {
                errors.Add(new($"{path}.name", "required"));
            }
            else if (!seen.TryAdd(alert.Name, i))
            {
                errors.Add(new($"{path}.name", $"duplicate alert name \"{alert.Name}\" (also alerts[{seen[alert.Name]}])"));
            }

            if (alert.Severity is not null && !KnownValues.AlertSeverities.Contains(alert.Severity))
            {
                errors.Add(new($"{path}.severity", $"unknown severity \"{alert.Severity}\" (known: info, warn, error)"));
            }

            if (alert.ProviderRef is null)
            {
                errors.Add(new($"{path}.providerRef", "required (the AlertProvider to send to)"));
            }
            else if (string.IsNullOrEmpty(alert.ProviderRef.Name))
            {
                errors.Add(new($"{path}.providerRef.name", "required"));
            }
            else if (options.NoCrossNamespaceRefs && !string.IsNullOrEmpty(alert.ProviderRef.Namespace) && alert.ProviderRef.Namespace != ns)
            {
                errors.Add(new($"{path}.providerRef.namespace", CrossNamespace("alert provider", alert.ProviderRef.Name, alert.ProviderRef.Namespace, ns)));
            }
        }
    }

    private static void ValidateDuration(string path, string? value, List<ValidationError> errors)
    {
        if (value is not null && !GoDuration.TryParse(value, out _, out var error))
        {
            errors.Add(new(path, error));
        }
    }

    private static void ValidatePercent(string path, int? value, List<ValidationError> errors)
    {
        if (value is < 0 or > 100)
        {
            errors.Add(new(path, $"must be between 0 and 100 (got {value})"));
        }
    }

    private static string CrossNamespace(string what, string? name, string? refNamespace, string ns) =>
        $"cross-namespace references are blocked (-no-cross-namespace-refs): can't access {what} {name}.{refNamespace} from namespace {ns}";

    private static bool IsAbsoluteHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string Join(IEnumerable<string> values) => string.Join(", ", values);

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]+(m|s)")]
    private static partial System.Text.RegularExpressions.Regex IntervalPattern();
}
