using Mesh.Core;

namespace Mesh.Tests.Unit;

public sealed class MeshLabelsTests
{
    [Fact]
    public void DataplaneMode_UsesProjectPrefix()
    {
        Assert.Equal("mesh.dev/dataplane-mode", MeshLabels.DataplaneMode);
    }
}
