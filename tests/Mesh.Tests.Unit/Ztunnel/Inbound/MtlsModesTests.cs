using Mesh.Core;
using Mesh.Ztunnel.Inbound;
using static Mesh.Tests.Unit.Ztunnel.TestWorkloads;

namespace Mesh.Tests.Unit.Ztunnel.Inbound;

public sealed class MtlsModesTests
{
    [Fact]
    public void For_NoLabel_UsesMeshDefault()
    {
        var pod = Pod("app", "p", "198.18.1.1");

        Assert.Equal(MtlsMode.Permissive, MtlsModes.For(pod));
        Assert.Equal(MtlsMode.Strict, MtlsModes.For(pod, MtlsMode.Strict));
    }

    [Theory]
    [InlineData("strict", MtlsMode.Permissive, MtlsMode.Strict)]
    [InlineData("STRICT", MtlsMode.Permissive, MtlsMode.Strict)]
    [InlineData("permissive", MtlsMode.Strict, MtlsMode.Permissive)]
    [InlineData("bogus", MtlsMode.Strict, MtlsMode.Strict)]
    [InlineData("bogus", MtlsMode.Permissive, MtlsMode.Permissive)]
    public void For_Label_OverridesDefault(string value, MtlsMode meshDefault, MtlsMode expected)
    {
        var pod = Pod("app", "p", "198.18.1.1", labels: (MeshLabels.MtlsMode, value));

        Assert.Equal(expected, MtlsModes.For(pod, meshDefault));
    }
}
