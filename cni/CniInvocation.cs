namespace Mesh.Cni;

/// <summary>The runtime's environment for one call (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH). Pure parsing.</summary>
public sealed record CniInvocation(string Command, string? ContainerId, string? Netns, string? IfName, IReadOnlyDictionary<string, string> Args)
{
    public const string Add = "ADD";
    public const string Del = "DEL";
    public const string Check = "CHECK";
    public const string Version = "VERSION";

    public string? PodNamespace => Args.GetValueOrDefault("K8S_POD_NAMESPACE");
    public string? PodName => Args.GetValueOrDefault("K8S_POD_NAME");
    public string? PodUid => Args.GetValueOrDefault("K8S_POD_UID");

    /// <summary>Reads the environment; a missing or malformed variable is <see cref="CniException.InvalidEnvironment"/>.</summary>
    public static CniInvocation Parse(Func<string, string?> env)
    {
        var command = env("CNI_COMMAND");
        if (string.IsNullOrEmpty(command))
        {
            throw new CniException(CniException.InvalidEnvironment, "CNI_COMMAND is not set; mesh-cni is run by a container runtime with CNI_COMMAND=ADD|DEL|CHECK|VERSION");
        }
        if (command is not (Add or Del or Check or Version))
        {
            throw new CniException(CniException.InvalidEnvironment, $"CNI_COMMAND '{command}' is not ADD, DEL, CHECK or VERSION");
        }
        var args = ParseArgs(env("CNI_ARGS") ?? "");
        var invocation = new CniInvocation(command, env("CNI_CONTAINERID"), env("CNI_NETNS"), env("CNI_IFNAME"), args);
        if (command is Add or Check)
        {
            Require(invocation.ContainerId, "CNI_CONTAINERID");
            Require(invocation.Netns, "CNI_NETNS");
            Require(invocation.IfName, "CNI_IFNAME");
            Require(invocation.PodNamespace, "K8S_POD_NAMESPACE in CNI_ARGS");
            Require(invocation.PodName, "K8S_POD_NAME in CNI_ARGS");
            Require(invocation.PodUid, "K8S_POD_UID in CNI_ARGS");
        }
        else if (command is Del)
        {
            Require(invocation.ContainerId, "CNI_CONTAINERID");
        }
        return invocation;
    }

    /// <summary>CNI_ARGS: "K1=V1;K2=V2" (IgnoreUnknown=1 and the like are kept, unused).</summary>
    public static IReadOnlyDictionary<string, string> ParseArgs(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CniException(CniException.InvalidEnvironment, $"CNI_ARGS entry '{pair}' is not KEY=VALUE");
            }
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }

    private static void Require(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new CniException(CniException.InvalidEnvironment, $"{what} is not set; the runtime must pass it (Kubernetes runtimes do)");
        }
    }
}
