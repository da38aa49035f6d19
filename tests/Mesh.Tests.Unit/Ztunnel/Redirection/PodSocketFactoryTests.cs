using Mesh.Native.Net;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Unit.Ztunnel.Redirection;

/// <summary>Which port a dial from the client's address may keep: none that a socket of the pod already uses as its remote end.</summary>
public sealed class PodSocketFactoryTests
{
    [Theory]
    [InlineData(TcpSocketState.Established)]
    [InlineData(TcpSocketState.SynRecv)]
    [InlineData(TcpSocketState.NewSynRecv)]
    [InlineData(TcpSocketState.TimeWait)]
    [InlineData(TcpSocketState.CloseWait)]
    public void Collides_PodHoldsAConnectionFromThatPort_True(TcpSocketState state) => Assert.True(PodSocketFactory.Collides(state));

    [Fact]
    public void Collides_OnlyTheAppListener_False() => Assert.False(PodSocketFactory.Collides(TcpSocketState.Listen));

    [Fact]
    public void Collides_NoSocket_False() => Assert.False(PodSocketFactory.Collides(null));
}
