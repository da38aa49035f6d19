using System.CommandLine;
using k8s;
using k8s.Models;
using Mesh.Cli.Terminal;
using Mesh.Core;

namespace Mesh.Cli.Cluster;

/// <summary>
/// <c>meshctl enroll NS</c> / <c>meshctl unenroll NS</c>: sets or removes the namespace label
/// <c>mesh.dev/dataplane-mode: ambient</c> (a JSON merge patch of the Namespace); running pods are captured or released
/// without restarts.
/// </summary>
internal static class EnrollCommand
{
    public static Command Create(bool enroll)
    {
        var ns = new Argument<string>("namespace") { Description = "the namespace" };
        var cluster = new ClusterOptions();
        var cmd = new Command(enroll ? "enroll" : "unenroll", enroll
            ? $"enroll a namespace's pods in the mesh (label {MeshLabels.DataplaneMode}={MeshLabels.DataplaneModeAmbient})"
            : $"take a namespace's pods out of the mesh (remove the label {MeshLabels.DataplaneMode})") { ns };
        cluster.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var (kubeconfig, context) = cluster.Values(parse);
            using var client = ClusterOptions.Connect(kubeconfig, context);
            return await RunAsync(client, parse.GetRequiredValue(ns), enroll, Console.Out, ct);
        });
        return cmd;
    }

    public static async Task<int> RunAsync(IKubernetes client, string ns, bool enroll, TextWriter output, CancellationToken ct)
    {
        if (ns == MeshLabels.RootNamespace && enroll)
        {
            throw new UsageException($"{ns} is the mesh's own namespace; its pods are never captured");
        }
        var patch = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["labels"] = new System.Text.Json.Nodes.JsonObject { [MeshLabels.DataplaneMode] = enroll ? MeshLabels.DataplaneModeAmbient : null },
            },
        }.ToJsonString();
        var done = await KubeCall.FindAsync($"label namespace {ns}",
            () => client.CoreV1.PatchNamespaceAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), ns, cancellationToken: ct));
        if (done is null)
        {
            throw new ClusterException($"namespace {ns} does not exist; create it first (kubectl create namespace {ns})");
        }
        output.WriteLine(enroll
            ? $"namespace {ns} enrolled ({MeshLabels.DataplaneMode}={MeshLabels.DataplaneModeAmbient}): its pods get mTLS without restarts; opt a pod out with {MeshLabels.DataplaneMode}={MeshLabels.DataplaneModeNone}"
            : $"namespace {ns} unenrolled ({MeshLabels.DataplaneMode} removed): its pods leave the mesh without restarts");
        return 0;
    }
}
