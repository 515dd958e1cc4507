using Flagger.Modules.Shared.Kubernetes;
using Flagger.Runtime.Configuration;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Flagger.Runtime.Hosting;

/// <summary>
/// Holds the <c>flagger-leader-election</c> Lease as upstream (lease 60s, renew deadline 15s, retry 5s, identity
/// <c>hostname_uuid</c>). Leading starts the controller; losing the lease cancels <see cref="Leadership.Token"/> at
/// once so no further write happens, then the instance campaigns again.
/// </summary>
internal sealed partial class LeaderElectionService(
    k8s.Kubernetes kubernetes, Leadership leadership, OperatorIdentity operatorIdentity, string electionNamespace, ILogger<LeaderElectionService> logger) : BackgroundService
{
    public const string LeaseName = "flagger-leader-election";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var identity = operatorIdentity.Name;
        var config = new LeaderElectionConfig(new LeaseLock(kubernetes, electionNamespace, LeaseName, identity))
        {
            LeaseDuration = TimeSpan.FromSeconds(60),
            RenewDeadline = TimeSpan.FromSeconds(15),
            RetryPeriod = TimeSpan.FromSeconds(5),
        };
        using var elector = new LeaderElector(config);
        elector.OnStartedLeading += () =>
        {
            Log.Leading(logger, identity);
            leadership.Acquire();
        };
        elector.OnStoppedLeading += () =>
        {
            leadership.Lose();
            Log.Lost(logger, identity);
        };
        elector.OnNewLeader += leader => Log.NewLeader(logger, leader);
        elector.OnError += e => Log.ElectionError(logger, e.Message);

        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the elector released the lease.
        }
        finally
        {
            leadership.Lose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became the leader")]
        public static partial void Leading(ILogger logger, string identity);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost the leader lease; stopped acting")]
        public static partial void Lost(ILogger logger, string identity);

        [LoggerMessage(Level = LogLevel.Information, Message = "Current leader: {Leader}")]
        public static partial void NewLeader(ILogger logger, string leader);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election error: {Error}")]
        public static partial void ElectionError(ILogger logger, string error);
    }
}
