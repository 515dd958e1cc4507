using System.Reflection;
using NetArchTest.Rules;

namespace Flagger.Modules.Tests.Architecture;

/// <summary>
/// ARCHITECTURE §3 as an executable rule: <c>Shared</c> depends on no module; <c>Workloads</c>, <c>Routing</c>,
/// <c>Analysis</c>, <c>Webhooks</c> and <c>Alerting</c> depend only on <c>Shared</c>; <c>Rollout</c> depends on
/// <c>Shared</c> and on the other modules' <c>Contracts</c> namespaces only. Modules that do not exist yet have no
/// types and therefore no violations, so the rule holds from day one and tightens as modules land.
/// </summary>
internal static class ModuleRules
{
    public const string Shared = "Shared";
    public const string Rollout = "Rollout";

    /// <summary>The modules that may depend on Shared only (and whose Contracts Rollout may use).</summary>
    public static readonly IReadOnlyList<string> LeafModules = ["Workloads", "Routing", "Analysis", "Webhooks", "Alerting"];

    public static IReadOnlyList<string> AllModules { get; } = [Shared, .. LeafModules, Rollout];

    /// <summary>
    /// Every type of <paramref name="assembly"/> under <paramref name="root"/> (e.g. <c>Flagger.Modules</c>) that breaks
    /// the module dependency rules, as <c>"&lt;rule&gt;: &lt;type&gt;"</c>. Empty means the rules hold.
    /// </summary>
    public static IReadOnlyList<string> Violations(Assembly assembly, string root)
    {
        var violations = new List<string>();

        Check(violations, $"{Shared} depends on no module", assembly, $"{root}.{Shared}",
            [.. AllModules.Where(m => m != Shared).Select(m => $"{root}.{m}")]);

        foreach (var module in LeafModules)
        {
            Check(violations, $"{module} depends only on {Shared}", assembly, $"{root}.{module}",
                [.. AllModules.Where(m => m != Shared && m != module).Select(m => $"{root}.{m}")]);
        }

        // NetArchTest matches dependencies by name prefix, so "<root>.Routing" would also match the allowed
        // "<root>.Routing.Contracts"; forbid the non-contract types of each module by their full names instead.
        var nonContractTypes = LeafModules
            .SelectMany(m => TypesUnder(assembly, $"{root}.{m}").Where(t => !t.IsNested && !InNamespace(t, $"{root}.{m}.Contracts")))
            .Select(t => t.FullName!)
            .ToArray();
        Check(violations, $"{Rollout} depends only on {Shared} and other modules' Contracts", assembly, $"{root}.{Rollout}", nonContractTypes);

        return violations;
    }

    /// <summary>
    /// ARCHITECTURE §3 "the host lists only Flagger's own kinds": types of <paramref name="host"/> under
    /// <paramref name="hostRoot"/> (e.g. <c>Flagger.Runtime</c>) that name a provider type of <paramref name="modules"/>
    /// (a router's folder <c>&lt;root&gt;.Routing.&lt;Provider&gt;</c>, <c>Analysis.Providers</c>, <c>Analysis.Observers</c>,
    /// a notifier class of <c>Alerting</c>), as <c>"&lt;rule&gt;: &lt;type&gt;"</c>. Empty means the host wires modules only.
    /// </summary>
    public static IReadOnlyList<string> HostViolations(Assembly host, string hostRoot, Assembly modules, string modulesRoot)
    {
        var providerTypes = ProviderTypes(modules, modulesRoot).Select(t => t.FullName!).ToArray();
        var violations = new List<string>();
        Check(violations, "the host names no provider type", host, hostRoot, providerTypes);
        return violations;
    }

    /// <summary>The provider types of <paramref name="root"/>: what a new provider adds, and what only its module may name.</summary>
    public static IEnumerable<Type> ProviderTypes(Assembly assembly, string root)
    {
        string[] routingShared = [$"{root}.Routing.Contracts", $"{root}.Routing.Kit"];
        return assembly.GetTypes().Where(t => !t.IsNested && t.Namespace is { } ns && (
            (ns.StartsWith($"{root}.Routing.", StringComparison.Ordinal) && !routingShared.Any(s => InNamespace(t, s)))
            || InNamespace(t, $"{root}.Analysis.Providers")
            || InNamespace(t, $"{root}.Analysis.Observers")
            || (ns == $"{root}.Alerting" && t.IsClass && t.Name.EndsWith("Notifier", StringComparison.Ordinal))));
    }

    /// <summary>How many types the rule looked at in <paramref name="module"/> (so a test can tell an empty module from a vacuous rule).</summary>
    public static int TypeCount(Assembly assembly, string root, string module) => TypesUnder(assembly, $"{root}.{module}").Count();

    private static void Check(List<string> violations, string rule, Assembly assembly, string moduleNamespace, string[] forbidden)
    {
        if (forbidden.Length == 0)
        {
            return;
        }

        var result = Types.InAssembly(assembly)
            .That().ResideInNamespace(moduleNamespace)
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();
        if (!result.IsSuccessful)
        {
            violations.AddRange((result.FailingTypeNames ?? []).Where(n => InNamespace(n, moduleNamespace)).Order(StringComparer.Ordinal).Select(n => $"{rule}: {n}"));
        }
    }

    private static IEnumerable<Type> TypesUnder(Assembly assembly, string ns) => assembly.GetTypes().Where(t => InNamespace(t, ns));

    private static bool InNamespace(Type type, string ns) => type.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    // ResideInNamespace is a prefix match too ("<root>.Routing" would also select "<root>.RoutingExtras").
    private static bool InNamespace(string typeName, string ns) => typeName.StartsWith(ns + ".", StringComparison.Ordinal);
}
