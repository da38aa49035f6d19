using Mesh.Cli.Stat;

namespace Mesh.Tests.Unit.Cli.Stat;

public sealed class StatTableTests
{
    [Fact]
    public void Write_WorkloadRows_OneLinePerWorkloadWithUnits()
    {
        var rows = new[]
        {
            new StatRow { Namespace = "app", Name = "echo-v1", Requests = 200, SuccessRate = 0.9, RequestsPerSecond = 20, P50Ms = 3.2, P95Ms = 48, P99Ms = 97.5,
                TcpConnectionsOpen = 2, TcpBytesPerSecond = 2048 },
            new StatRow { Namespace = "app", Name = "db", TcpConnectionsOpen = 1, TcpBytesPerSecond = 10 },
        };
        var o = new StringWriter();

        StatTable.Write(o, StatTable.Build(rows, StatGrouping.Workload, TimeSpan.FromSeconds(10)), terminal: false);

        var lines = o.ToString().Split('\n');
        Assert.Contains(lines, l => l.Contains("NAMESPACE", StringComparison.Ordinal) && l.Contains("WORKLOAD", StringComparison.Ordinal) && l.Contains("P99", StringComparison.Ordinal));
        var echo = Assert.Single(lines, l => l.Contains("echo-v1", StringComparison.Ordinal));
        Assert.Matches(@"app\s+echo-v1\s+90\.00%\s+20\.0\s+3\.2ms\s+48ms\s+98ms\s+2\s+2\.0KiB", echo);
        Assert.Matches(@"app\s+db\s+-\s+-\s+-\s+-\s+-\s+1\s+10B", Assert.Single(lines, l => l.Contains(" db ", StringComparison.Ordinal)));
        Assert.Contains("over 10 s", o.ToString(), StringComparison.Ordinal);
    }
}
