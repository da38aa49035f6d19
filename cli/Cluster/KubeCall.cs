using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Mesh.Cli.Cluster;

/// <summary>Runs one API call and turns what can go wrong into one <see cref="ClusterException"/> line naming the call.</summary>
internal static class KubeCall
{
    public static async Task<T> RunAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e)
        {
            throw new ClusterException($"cannot {what}: the API server answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase ?? e.Response.StatusCode.ToString()}: {Message(e)}");
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"cannot {what}: the API server is not reachable ({e.Message}); check the kubeconfig's server and that the cluster runs");
        }
    }

    /// <summary>The call's result, or null when the object does not exist (404).</summary>
    public static Task<T?> FindAsync<T>(string what, Func<Task<T>> call)
        where T : class =>
        RunAsync<T?>(what, async () =>
        {
            try
            {
                return await call();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });

    /// <summary>The Status message kube-apiserver sends with an error, else the body.</summary>
    private static string Message(HttpOperationException e)
    {
        try
        {
            if (JsonNode.Parse(e.Response.Content ?? "")?["message"] is { } message)
            {
                return message.GetValue<string>();
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return (e.Response.Content ?? "").Trim();
    }
}
