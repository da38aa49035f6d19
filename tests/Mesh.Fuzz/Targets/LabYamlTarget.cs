using System.Text;
using Mesh.Lab;
using Mesh.Lab.Parsing;

namespace Mesh.Fuzz.Targets;

/// <summary>The lab file parser (<see cref="LabFileParser.Parse"/>): every bad file must be one <see cref="LabException"/>.</summary>
internal sealed class LabYamlTarget : IFuzzTarget
{
    public string Name => "lab-yaml";

    public void Run(byte[] input)
    {
        try
        {
            _ = LabFileParser.Parse(Encoding.UTF8.GetString(input), "fuzz.yaml", "/nonexistent");
        }
        catch (LabException)
        {
        }
    }
}
