using Mesh.Fuzz.Targets;

namespace Mesh.Fuzz;

/// <summary>Every target, selected by name on the command line.</summary>
internal static class FuzzTargets
{
    private static readonly Func<IFuzzTarget>[] Factories =
    [
        () => new Http2FramesTarget(),
        () => new HpackTarget(),
        () => new HboneConnectTarget(),
        () => new CsrTarget(),
        () => new DiscoveryLinesTarget(),
        () => new DiscoveryRequestTarget(),
        () => new RegistryYamlTarget(),
        () => new LabYamlTarget(),
        () => new SelfCheckTarget(),
    ];

    public static readonly string[] Names =
        ["http2-frames", "hpack", "hbone-connect", "csr", "discovery-lines", "discovery-request", "registry-yaml", "lab-yaml", "selfcheck"];

    public static IFuzzTarget? Find(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i < 0 ? null : Factories[i]();
    }
}
