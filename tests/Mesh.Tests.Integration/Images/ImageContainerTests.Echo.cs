using Mesh.Tests.Common;
using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.Integration.Images;

/// <summary>The echo sample's image, as kind-config/manifests run it: the echo server, and curl for the client pods.</summary>
public sealed partial class ImageContainerTests
{
    [RootFact]
    public async Task Echo_ImageAsTheKindManifestsRunIt_ServesAndItsCurlReadsTheReplies()
    {
        await docker.ReadyAsync();
        var name = ChartContainerRun.Id("echo");
        // The manifests' securityContext (non-root, no capability, no privilege escalation) and args; POD_NAME as the downward API sets it.
        var start = await docker.DockerAsync(["run", "-d", "--name", name, "--pull", "never", "--network", "none", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--env", "POD_NAME=echo-v1-7d9f8b6c5-abcde", Image("echo"), "--port", "8080", "--quiet"]);
        Assert.True(start.Ok, start.Stderr);
        try
        {
            var user = await docker.DockerAsync(["image", "inspect", "-f", "{{.Config.User}}", Image("echo")]);
            Assert.Equal("65532:65532", user.Stdout.Trim());
            (int ExitCode, string Replies) curl = default;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                // What the E2E checks send: one curl, URL globbing, from inside the container (loopback only).
                var r = await docker.DockerAsync(["exec", name, "/usr/bin/curl", "-sS", "-m", "5", "http://127.0.0.1:8080/?n=[1-3]"]);
                curl = (r.ExitCode, r.Stdout + r.Stderr);
                if (curl.ExitCode == 0 || DateTime.UtcNow > deadline)
                {
                    break;
                }
                await Task.Delay(200); // the server is still starting
            }

            var (pods, other) = EchoReplies.Parse(curl.Replies);
            Assert.True(other.Count == 0, curl.Replies);
            Assert.Equal(3, EchoReplies.OfDeployment(pods, "echo-v1"));
        }
        finally
        {
            await docker.DockerAsync(["rm", "-f", name]);
        }
    }
}
