using Tmds.Linux;

namespace Mesh.Native.Bpf;

/// <summary>
/// The BPF filesystem: where programs, maps and links are pinned so they outlive the process that made them.
/// A pinned object lives until its file is removed and no process holds it.
/// </summary>
public static class BpfFs
{
    public const string DefaultRoot = "/sys/fs/bpf";

    /// <summary>Mounts bpffs at <paramref name="root"/> unless it is mounted there already.</summary>
    public static void EnsureMounted(string root = DefaultRoot)
    {
        if (IsMounted(root))
        {
            return;
        }
        Directory.CreateDirectory(root);
        if (Interop.Libc.Mount("bpf", root, "bpf", 0) != 0)
        {
            throw new BpfException($"mount(bpf, {root})", LibC.errno, "mount it yourself: mount -t bpf bpf " + root);
        }
    }

    /// <summary>True when /proc/self/mounts lists a bpf filesystem at <paramref name="root"/>.</summary>
    public static bool IsMounted(string root = DefaultRoot)
    {
        var target = root.TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "bpf" && fields[1] == target)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Pins the object behind <paramref name="fd"/> at <paramref name="path"/> (which must not exist).</summary>
    public static void Pin(int fd, string path)
    {
        var err = Interop.Libbpf.ObjPin(fd, path);
        if (err < 0)
        {
            throw new BpfException($"bpf_obj_pin({path})", err, err == -Errno.EEXIST ? "something is pinned there already" : null);
        }
    }

    /// <summary>Opens a pinned object; the caller owns the fd. Throws with ENOENT when nothing is pinned there.</summary>
    public static int Open(string path)
    {
        var fd = Interop.Libbpf.ObjGet(path);
        if (fd < 0)
        {
            throw new BpfException($"bpf_obj_get({path})", fd);
        }
        return fd;
    }

    /// <summary>Removes a pin (the object goes once nothing else holds it); false when there was none.</summary>
    public static bool Unpin(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        return true;
    }
}
