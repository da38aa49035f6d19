namespace Mesh.Cni.Install;

/// <summary>The conf file to write (its name may change from .conf to .conflist) and its text; unchanged: nothing to write.</summary>
public sealed record ChainResult(string FileName, string Text, bool Changed);
