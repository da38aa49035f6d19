namespace Mesh.Native.Net;

/// <summary>The C heap (glibc malloc): OpenSSL's per-connection state lives there and is not given back to the system by itself.</summary>
public static class NativeHeap
{
    /// <summary>malloc_trim(0): returns free memory at the top of the heap and in free pages of every arena to the system; true when some was.</summary>
    public static bool Trim() => Interop.Libc.MallocTrim(0) != 0;
}
