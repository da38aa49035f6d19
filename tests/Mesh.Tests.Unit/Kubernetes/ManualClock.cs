namespace Mesh.Tests.Unit.Kubernetes;

/// <summary>A TimeProvider whose clock moves only when the test says so (for code that reads GetUtcNow).</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
