namespace Flagger.Runtime.Tests.Rollout;

/// <summary>Rollout tests each run a cluster and an operator; they run one at a time to keep a 2-core machine responsive.</summary>
[CollectionDefinition(Name)]
public sealed class RolloutCollection
{
    public const string Name = "rollouts";
}
