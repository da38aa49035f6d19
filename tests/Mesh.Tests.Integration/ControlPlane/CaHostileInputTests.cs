using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// The CA and the file registry of the real control plane process under hostile input over HTTP/2 + TLS on loopback:
/// what the attacker's client can observe (statuses, how much of its body the server ever accepted, what is echoed)
/// and what the process costs (VmRSS from /proc).
/// </summary>
public sealed class CaHostileInputTests : IDisposable
{
    private const int TenMegabytes = 10 * 1024 * 1024;
    private const long FiftyMegabytes = 50L * 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("cp-hostile-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A body that is produced as the client sends it and counts how much the server let through: the start of
    /// a sign request whose identity never ends, so only a size limit stops a reader.</summary>
    private sealed class CountingContent(long length, bool declareLength) : HttpContent
    {
        public long Sent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var prefix = Encoding.ASCII.GetBytes("{\"identity\": \"spiffe://");
            await stream.WriteAsync(prefix);
            Sent = prefix.Length;
            var chunk = new byte[16 * 1024];
            chunk.AsSpan().Fill((byte)'a');
            while (Sent < length)
            {
                var n = (int)Math.Min(chunk.Length, length - Sent);
                await stream.WriteAsync(chunk.AsMemory(0, n));
                Sent += n;
            }
        }

        protected override bool TryComputeLength(out long len)
        {
            len = length;
            return declareLength;
        }
    }

    private static HttpClient Client(ControlPlaneProcess cp)
    {
        var bundle = new TrustBundleFile(Path.Combine(cp.Root, "state", "ca", "trust-bundle.pem"));
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    cert is X509Certificate2 c && TrustBundleFile.Validate(c, bundle.Roots, null, null, out _),
            },
        })
    {
        BaseAddress = new Uri($"https://127.0.0.1:{cp.TlsPort}"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(60),
        };
    }

    private static async Task<(HttpStatusCode Status, string Body, long Sent)> PostAsync(HttpClient http, string? token, CountingContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mesh.ca.v1/sign")
        {
            Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), content.Sent);
    }

    private static async Task WaitReadyAsync(ControlPlaneProcess cp)
    {
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{cp.MonitoringPort}/healthz/ready"), deadline.Token)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task Sign_HundredTenMegabyteBodiesWithGarbageToken_RefusedUnreadAndRssStaysNearBaseline()
    {
        using var cp = await ControlPlaneProcess.StartAsync(_root);
        await WaitReadyAsync(cp);
        using (var warm = Client(cp))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(warm, "garbage", new CountingContent(100, true))).Status);
        }
        var baseline = cp.RssBytes();

        // 10 connections x 10 requests, each a 10 MB body behind a garbage token.
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var http = Client(cp);
            var mine = new List<(HttpStatusCode Status, string Body, long Sent)>();
            for (var i = 0; i < 10; i++)
            {
                mine.Add(await PostAsync(http, "garbage-" + new string('x', 50), new CountingContent(TenMegabytes, declareLength: i % 2 == 0)));
            }
            return mine;
        }));
        var peak = cp.RssBytes();
        var all = results.SelectMany(r => r).ToList();

        Assert.Equal(100, all.Count);
        Assert.All(all, r => Assert.Equal(HttpStatusCode.Unauthorized, r.Status));
        Assert.All(all, r => Assert.Contains("\"unauthenticated\"", r.Body));
        // Refused before the body is read: the server never opened its window for more than a fraction of it.
        Assert.All(all, r => Assert.InRange(r.Sent, 0, 1024 * 1024));
        Assert.InRange(peak - baseline, long.MinValue, FiftyMegabytes);
        Console.WriteLine($"ca flood: RSS baseline {baseline / 1048576.0:F1} MiB, after 100 x 10 MB {peak / 1048576.0:F1} MiB; " +
            $"largest body part sent {all.Max(r => r.Sent) / 1024} KiB of 10240 KiB");
    }

    [Fact]
    public async Task Sign_ValidTokenOversizedOrHugeIdentity_413OrBoundedEcho()
    {
        using var cp = await ControlPlaneProcess.StartAsync(_root);
        await WaitReadyAsync(cp);
        using var http = Client(cp);

        var declared = await PostAsync(http, "token-1", new CountingContent(TenMegabytes, declareLength: true));
        var chunked = await PostAsync(http, "token-1", new CountingContent(TenMegabytes, declareLength: false));
        using var hugeIdentity = new HttpRequestMessage(HttpMethod.Post, "/mesh.ca.v1/sign")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent($"{{\"identity\": \"spiffe://cluster.local/ns/demo/sa/{new string('A', 40_000)}\\n forged log line\", \"csr\": \"x\"}}",
                Encoding.UTF8, "application/json"),
        };
        hugeIdentity.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-1");
        using var echoed = await http.SendAsync(hugeIdentity);
        var echoedBody = await echoed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.Status);
        Assert.Contains("\"too-large\"", declared.Body);
        Assert.InRange(declared.Sent, 0, 1024 * 1024);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.Status);
        Assert.InRange(chunked.Sent, 0, 1024 * 1024);
        Assert.Equal(HttpStatusCode.BadRequest, echoed.StatusCode);
        var message = JsonNode.Parse(echoedBody)!["message"]!.GetValue<string>();
        Assert.InRange(message.Length, 1, 1024);
        Assert.Contains("...[+", message);
        Assert.DoesNotContain('\n', message);
        Assert.All(cp.Output, line => Assert.InRange(line.Length, 0, 4096));
    }

    [Fact]
    public async Task Registry_AliasBombFile_RefusedWithBoundedMemoryAndNamedInStatus()
    {
        using var cp = await ControlPlaneProcess.StartAsync(_root);
        await WaitReadyAsync(cp);
        var baseline = cp.RssBytes();
        await File.WriteAllTextAsync(Path.Combine(cp.ClusterDir, "bomb.yaml"), YamlBombs.Laughs(11));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cp.MonitoringPort}") };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string status;
        while (!(status = await http.GetStringAsync(new Uri("/debug/status", UriKind.Relative), deadline.Token)).Contains("bomb.yaml", StringComparison.Ordinal))
        {
            await Task.Delay(50, deadline.Token);
        }
        var after = cp.RssBytes();

        Assert.Contains("alias bomb", status);
        Assert.InRange(after - baseline, long.MinValue, FiftyMegabytes);
        // The console logger writes after the status has changed: wait for the line, then there must be exactly one.
        while (!cp.Output.ToArray().Any(l => l.Contains("bomb.yaml", StringComparison.Ordinal)) && !deadline.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
        Assert.Single(cp.Output.ToArray(), l => l.Contains("bomb.yaml", StringComparison.Ordinal));
        Console.WriteLine($"alias bomb (9^12 nodes if expanded): RSS baseline {baseline / 1048576.0:F1} MiB, after {after / 1048576.0:F1} MiB");
    }
}
