using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.Unit.E2E;

public sealed class EchoRepliesTests
{
    [Fact]
    public void Parse_CurlOutputOfRepliesAndAnErrorPage_SeparatesThem()
    {
        var (pods, other) = EchoReplies.Parse("""
            {"pod":"echo-v1-7d9f8b6c5-abcde","method":"GET","path":"/","status":200}
            {"pod":"echo-v2-5c6d7e8f9-fghij","method":"GET","path":"/","status":200}
            upstream connect error
            {"pod":"echo-v1-7d9f8b6c5-abcde","method":"GET","path":"/","status":503}

            """);

        Assert.Equal(["echo-v1-7d9f8b6c5-abcde", "echo-v2-5c6d7e8f9-fghij"], pods);
        Assert.Equal(2, other.Count);
        Assert.Equal("upstream connect error", other[0]);
    }

    [Fact]
    public void OfDeployment_PodNames_CountsOnlyThatDeploymentsPods()
    {
        string[] pods = ["echo-v1-7d9f8b6c5-abcde", "echo-v1-7d9f8b6c5-xyzab", "echo-v2-5c6d7e8f9-fghij", "echo-v1-canary-6f7g8h9i0-klmno", "echo-v1"];

        Assert.Equal(2, EchoReplies.OfDeployment(pods, "echo-v1"));
        Assert.Equal(1, EchoReplies.OfDeployment(pods, "echo-v2"));
        Assert.Equal(1, EchoReplies.OfDeployment(pods, "echo-v1-canary"));
    }
}
