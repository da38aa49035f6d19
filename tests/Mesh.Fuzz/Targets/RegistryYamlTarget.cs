using System.Text;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using YamlDotNet.Core;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The file registry's reader (<see cref="YamlDocuments.Parse"/>, then the translation into the mesh model, as a
/// file in the cluster folder goes). Contract: <see cref="YamlException"/> or <see cref="FormatException"/> for a
/// bad file; translation problems are values.
/// </summary>
internal sealed class RegistryYamlTarget : IFuzzTarget
{
    public string Name => "registry-yaml";

    public void Run(byte[] input)
    {
        List<System.Text.Json.Nodes.JsonObject> objects;
        try
        {
            objects = YamlDocuments.Parse(Encoding.UTF8.GetString(input));
        }
        catch (Exception e) when (e is YamlException or FormatException)
        {
            return;
        }
        _ = MeshTranslator.Translate(objects);
    }
}
