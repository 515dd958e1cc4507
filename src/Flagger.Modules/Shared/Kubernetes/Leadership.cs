namespace Flagger.Modules.Shared.Kubernetes;

/// <summary>
/// Whether this process may act. Without leader election it always may. With leader election, acting starts when the
/// Lease is acquired and stops the moment it is lost: <see cref="Token"/> is cancelled (in-flight API calls abort)
/// and every later write is refused, so a deposed leader never writes.
/// </summary>
public sealed class Leadership
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _term;
    private bool _isLeader;

    /// <param name="electionEnabled">False: this process is the leader from the start and stays it.</param>
    public Leadership(bool electionEnabled)
    {
        _isLeader = !electionEnabled;
        _term = new CancellationTokenSource();
        if (electionEnabled)
        {
            _term.Cancel();
        }
    }

    public bool IsLeader
    {
        get
        {
            lock (_lock)
            {
                return _isLeader;
            }
        }
    }

    /// <summary>Cancelled when the current term of leadership ends (already cancelled while not leading).</summary>
    public CancellationToken Token
    {
        get
        {
            lock (_lock)
            {
                return _term.Token;
            }
        }
    }

    /// <summary>Raised after leadership was acquired, with the new term's token.</summary>
    public event Action<CancellationToken>? Acquired;

    public void Acquire()
    {
        CancellationToken token;
        lock (_lock)
        {
            if (_isLeader)
            {
                return;
            }

            _term.Dispose();
            _term = new CancellationTokenSource();
            _isLeader = true;
            token = _term.Token;
        }

        Acquired?.Invoke(token);
    }

    public void Lose()
    {
        lock (_lock)
        {
            _isLeader = false;
            _term.Cancel();
        }
    }

    /// <summary>Throws when this process may not write.</summary>
    public void EnsureLeader(string action)
    {
        if (!IsLeader)
        {
            throw new KubeApiException(System.Net.HttpStatusCode.PreconditionFailed, "NotLeader", $"{action} refused: this instance is not the leader");
        }
    }
}
