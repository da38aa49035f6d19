using System.Globalization;
using System.Text.Json;

namespace Mesh.Cli.Stat;

/// <summary>Runs instant PromQL queries against a Prometheus server's HTTP API (<c>/api/v1/query</c>).</summary>
internal sealed class PrometheusClient(Uri server) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = MetricsScraper.Timeout };

    public async Task<List<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query, CancellationToken ct)
    {
        var url = new Uri(server, "api/v1/query?query=" + Uri.EscapeDataString(query));
        string body;
        try
        {
            using var response = await _http.GetAsync(url, ct);
            body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode && !body.StartsWith('{'))
            {
                throw new StatException($"Prometheus at {server} answered {(int)response.StatusCode} {response.ReasonPhrase}; is it a Prometheus server?");
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new StatException($"cannot query Prometheus at {server}: {(e is OperationCanceledException ? "no answer" : e.Message)}; check --prometheus");
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.GetProperty("status").GetString() != "success")
            {
                var error = root.TryGetProperty("error", out var e) ? e.GetString() : "unknown error";
                throw new StatException($"Prometheus at {server} refused the query: {error}");
            }
            var result = new List<(IReadOnlyDictionary<string, string>, double)>();
            foreach (var item in root.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                var text = item.GetProperty("value")[1].GetString() ?? "NaN";
                var value = text switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
                result.Add((labels, value));
            }
            return result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new StatException($"Prometheus at {server} answered something that is not a query result ({e.Message}); is it a Prometheus server?");
        }
    }

    public void Dispose() => _http.Dispose();
}
