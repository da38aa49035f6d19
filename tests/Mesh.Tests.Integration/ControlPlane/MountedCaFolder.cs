namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// A CA's files as the kubelet mounts a Secret (tls.crt, tls.key, ca.crt links into <c>..data</c>, a link to the
/// current version's folder), replaced as the kubelet replaces them: the new version written beside the old, then
/// <c>..data</c> switched with one rename, so a reader sees all old files or all new ones.
/// </summary>
internal sealed class MountedCaFolder(string dir)
{
    private int _version;

    public string Cert => Path.Combine(dir, "tls.crt");
    public string Key => Path.Combine(dir, "tls.key");
    public string Roots => Path.Combine(dir, "ca.crt");

    public async Task WriteAsync(string certPem, string keyPem, string rootsPem)
    {
        Directory.CreateDirectory(dir);
        var version = $"..v{++_version}";
        var folder = Directory.CreateDirectory(Path.Combine(dir, version)).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "tls.crt"), certPem);
        await File.WriteAllTextAsync(Path.Combine(folder, "tls.key"), keyPem);
        await File.WriteAllTextAsync(Path.Combine(folder, "ca.crt"), rootsPem);
        var tmp = Path.Combine(dir, "..data_tmp");
        File.CreateSymbolicLink(tmp, version);
        var mv = await Mesh.Lab.Runtime.Shell.RunAsync("mv", ["-Tf", tmp, Path.Combine(dir, "..data")], timeout: TimeSpan.FromSeconds(10));
        Assert.True(mv.Ok, mv.Stderr);
        foreach (var name in new[] { "tls.crt", "tls.key", "ca.crt" })
        {
            if (!File.Exists(Path.Combine(dir, name)))
            {
                File.CreateSymbolicLink(Path.Combine(dir, name), Path.Combine("..data", name));
            }
        }
    }
}
