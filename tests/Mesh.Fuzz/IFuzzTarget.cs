namespace Mesh.Fuzz;

/// <summary>
/// One entry point an outsider reaches. <see cref="Run"/> returns normally when the code under test handled the
/// input the way its contract says (a value, or the module's own exception, caught here); anything else escapes
/// and afl-fuzz records the input as a crash.
/// </summary>
internal interface IFuzzTarget
{
    string Name { get; }

    void Run(byte[] input);
}
