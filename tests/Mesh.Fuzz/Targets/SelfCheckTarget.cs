using Mesh.Fuzz.Pipeline;

namespace Mesh.Fuzz.Targets;

/// <summary>Checks the fuzzing pipeline itself (scripts/fuzz.sh --selfcheck); see <see cref="SelfCheckInput"/>.</summary>
internal sealed class SelfCheckTarget : IFuzzTarget
{
    public string Name => "selfcheck";

    public void Run(byte[] input) => SelfCheckInput.Run(input);
}
