using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flagger.Deploy.Tests.Operator;

/// <summary>One captured log entry: the formatted message, every structured value, scopes and the exception.</summary>
internal sealed record LogEntry(LogLevel Level, string Category, string Text);

/// <summary>
/// A logger provider that keeps everything the operator logs at any level: the formatted message, each structured
/// state value (which a JSON console formatter would print even when the message template does not), the active
/// scopes and the exception with its inner exceptions.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public string AllText => string.Join('\n', _entries.Select(e => $"{e.Level} {e.Category}: {e.Text}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var parts = new List<string> { formatter(state, exception) };
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                parts.AddRange(values.Select(kv => $"{kv.Key}={kv.Value}"));
            }

            owner._scopes.ForEachScope((scope, list) => list.Add($"scope={scope}"), parts);
            for (var e = exception; e is not null; e = e.InnerException)
            {
                parts.Add(e.ToString());
            }

            owner._entries.Enqueue(new LogEntry(logLevel, category, string.Join(" | ", parts)));
        }
    }
}
