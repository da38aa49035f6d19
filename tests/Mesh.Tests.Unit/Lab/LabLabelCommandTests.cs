using Mesh.Cli;
using Mesh.Cli.Lab;
using Mesh.Cli.Terminal;

namespace Mesh.Tests.Unit.Lab;

public sealed class LabLabelCommandTests
{
    [Theory]
    [InlineData("mesh.dev/dataplane-mode=ambient", "mesh.dev/dataplane-mode", "ambient")]
    [InlineData("a=", "a", "")]
    [InlineData("a=b=c", "a", "b=c")]
    [InlineData("mesh.dev/dataplane-mode-", "mesh.dev/dataplane-mode", null)]
    public void ParseChange_SetOrRemove(string change, string key, string? value) =>
        Assert.Equal((key, value), LabLabelCommand.ParseChange(change));

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    [InlineData("-")]
    public void ParseChange_Malformed_IsAUsageError(string change) =>
        Assert.Throws<UsageException>(() => LabLabelCommand.ParseChange(change));
}
