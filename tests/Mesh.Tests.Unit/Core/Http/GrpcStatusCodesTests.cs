using Mesh.Core.Http;

namespace Mesh.Tests.Unit.Core;

public sealed class GrpcStatusCodesTests
{
    [Theory]
    [InlineData("UNAVAILABLE", 14)]
    [InlineData("unavailable", 14)]
    [InlineData("deadline-exceeded", 4)]
    [InlineData("RESOURCE_EXHAUSTED", 8)]
    [InlineData(" cancelled ", 1)]
    [InlineData("5", 5)]
    public void Parse_NameOrNumber_Code(string name, int code)
    {
        Assert.Equal(code, GrpcStatusCodes.Parse(name));
    }

    [Theory]
    [InlineData("teapot")]
    [InlineData("17")]
    [InlineData("-1")]
    [InlineData("")]
    public void Parse_Unknown_Null(string name)
    {
        Assert.Null(GrpcStatusCodes.Parse(name));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpc_ContentType_OnlyGrpcItself(string? contentType, bool grpc)
    {
        Assert.Equal(grpc, GrpcStatusCodes.IsGrpc(contentType));
    }

    [Fact]
    public void Name_Code_CanonicalName()
    {
        Assert.Equal("UNAVAILABLE", GrpcStatusCodes.Name(14));
        Assert.Equal("99", GrpcStatusCodes.Name(99));
    }
}
