using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>What a host's services logged, kept in memory so that a test can see what the app's log would show.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly List<(string Category, LogLevel Level, string Message, EventId Event)> _entries = [];

    /// <summary>How many entries at the level, of a category that starts with the given name, mention the text.</summary>
    public int Count(string category, LogLevel level, string mentioning)
    {
        lock (_entries)
        {
            return _entries.Count(e => e.Category.StartsWith(category, StringComparison.Ordinal) && e.Level == level && e.Message.Contains(mentioning, StringComparison.Ordinal));
        }
    }

    /// <summary>The event ids of every entry, in order.</summary>
    public List<EventId> Events()
    {
        lock (_entries)
        {
            return [.. _entries.Select(e => e.Event)];
        }
    }

    /// <summary>Every entry, one a line, for a failing test's message.</summary>
    public override string ToString()
    {
        lock (_entries)
        {
            return string.Join("\n", _entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (log._entries)
            {
                log._entries.Add((category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception), eventId));
            }
        }
    }
}
