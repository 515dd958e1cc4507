namespace Flagger.Deploy.Tests.Operator;

/// <summary>Tests that run a cluster and an operator in-process; one at a time to keep a 2-core machine responsive.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperatorCollection
{
    public const string Name = "operator";
}
