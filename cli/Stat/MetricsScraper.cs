using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using Mesh.Core.Metrics;
using Mesh.Native;
using Mesh.Native.Net;

namespace Mesh.Cli.Stat;

/// <summary>
/// Reads every target's Prometheus text once, all at the same time: lab targets over a TCP socket made inside the
/// target's network namespace (<see cref="NetNs"/>), cluster targets through the API server's pod proxy. A target that
/// does not answer (or answers garbage) is one <see cref="StatException"/> line naming it.
/// </summary>
internal sealed class MetricsScraper : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly IKubernetes? _kube;
    private readonly HttpClient _http;

    public MetricsScraper(IKubernetes? kube = null)
    {
        _kube = kube;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout };
    }

    public async Task<List<MetricSample>> ScrapeAsync(IReadOnlyList<ScrapeTarget> targets, CancellationToken ct)
    {
        var texts = await Task.WhenAll(targets.Select(t => ReadAsync(t, ct)));
        var samples = new List<MetricSample>();
        for (var i = 0; i < targets.Count; i++)
        {
            try
            {
                samples.AddRange(PrometheusTextReader.Parse(texts[i]).Select(s => new MetricSample(targets[i].Name, s.Name, s.Labels, s.Value)));
            }
            catch (FormatException e)
            {
                throw new StatException($"{targets[i].Name} at {targets[i].Url} does not serve Prometheus text: {e.Message}");
            }
        }
        return samples;
    }

    private async Task<string> ReadAsync(ScrapeTarget target, CancellationToken ct)
    {
        try
        {
            if (target.PodName is not null && _kube is not null)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Timeout);
                using var stream = await _kube.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
                    $"{target.PodName}:{target.Url.Port}", target.PodNamespace!, target.Url.AbsolutePath.TrimStart('/'), cancellationToken: timeout.Token);
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync(timeout.Token);
            }
            if (target.NetnsPath is null)
            {
                return await _http.GetStringAsync(target.Url, ct);
            }
            return await GetInNetnsAsync(target, ct);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or BpfException or k8s.Autorest.HttpOperationException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var why = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : e.Message;
            var what = e is BpfException ? "meshctl needs root to enter the lab's namespaces" : "is the proxy running?";
            throw new StatException($"cannot scrape {target.Name} at {target.Url}: {why}; {what}");
        }
    }

    /// <summary>
    /// One HTTP/1.1 GET with Connection: close on a socket made inside the target's namespace (an HttpClient would pool
    /// connections by address, and two pods' 127.0.0.1:15020 are different endpoints).
    /// </summary>
    private static async Task<string> GetInNetnsAsync(ScrapeTarget target, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var socket = NetNs.CreateTcpSocket(target.NetnsPath!, new NetNsSocketOptions(ReuseAddress: false));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(target.Url.Host), target.Url.Port), timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = Encoding.ASCII.GetBytes($"GET {target.Url.PathAndQuery} HTTP/1.1\r\nHost: {target.Url.Authority}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head, timeout.Token);
        using var body = new MemoryStream();
        await stream.CopyToAsync(body, timeout.Token);
        var text = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = text.Split(' ', 3);
        if (split < 0 || status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new IOException("the answer is not HTTP");
        }
        if (status[1] != "200")
        {
            throw new IOException($"it answered {status[1]}");
        }
        if (text[..split].Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("a chunked answer (not what a mesh proxy sends)");
        }
        return text[(split + 4)..];
    }

    public void Dispose() => _http.Dispose();
}
