namespace Mesh.Native;

/// <summary>Names of the native libraries the project binds to.</summary>
internal static class Libraries
{
    public const string Libc = "libc";
    public const string Libbpf = "libbpf.so.1";
}
