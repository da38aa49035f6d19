using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Integration.Capture;

/// <summary>Keeps every formatted log line so tests can assert on what ztunnel logged.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines;

    public TestLogger(ConcurrentQueue<string> lines) => _lines = lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
