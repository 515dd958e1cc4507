namespace Flagger.LoadTester;

/// <summary>
/// Runs <c>cmd</c> tasks in the background with the <c>-timeout</c> limit. A task is identified by canary + command; a
/// task added while the same one runs is skipped (upstream's de-duplication), so a load test started by every analysis
/// tick runs once at a time per canary.
/// </summary>
// upstream: pkg/loadtester/runner.go, task_shell.go
internal sealed partial class TaskRunner(ShellCommand shell, LoadTesterOptions options, ILogger<TaskRunner> logger) : IDisposable
{
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _totalExecs;

    /// <summary>How many tasks were started since the process began.</summary>
    public long TotalExecs => Interlocked.Read(ref _totalExecs);

    public TimeSpan Timeout => options.Timeout;

    /// <summary>Starts the task unless the same one is running; returns the running task (for tests) or null when skipped.</summary>
    public Task? Add(string canary, string command, bool logCmdOutput)
    {
        var key = canary + "\n" + command;
        lock (_lock)
        {
            if (_running.ContainsKey(key))
            {
                Log.Skipped(logger, canary, command);
                return null;
            }

            Interlocked.Increment(ref _totalExecs);
            var task = Task.Run(() => RunAsync(key, canary, command, logCmdOutput));
            _running[key] = task;
            return task;
        }
    }

    /// <summary>Tasks running now (for tests and shutdown).</summary>
    public IReadOnlyList<Task> Running()
    {
        lock (_lock)
        {
            return [.. _running.Values];
        }
    }

    private async Task RunAsync(string key, string canary, string command, bool logCmdOutput)
    {
        try
        {
            Log.Starting(logger, canary, command);
            var result = await shell.RunAsync("sh", ["-c", command], options.Timeout, _stopping.Token).ConfigureAwait(false);
            if (!result.Ok)
            {
                Log.Failed(logger, canary, command, result.Error ?? "", result.Output);
            }
            else
            {
                if (logCmdOutput)
                {
                    Log.Output(logger, canary, result.Output);
                }

                Log.Finished(logger, canary, command);
            }
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(key);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: task starting {Command}")]
        public static partial void Starting(ILogger logger, string canary, string command);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: command skipped {Command} is already running")]
        public static partial void Skipped(ILogger logger, string canary, string command);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Canary}: command failed {Command} {Error} {Output}")]
        public static partial void Failed(ILogger logger, string canary, string command, string error, string output);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: {Output}")]
        public static partial void Output(ILogger logger, string canary, string output);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: command finished {Command}")]
        public static partial void Finished(ILogger logger, string canary, string command);
    }
}
