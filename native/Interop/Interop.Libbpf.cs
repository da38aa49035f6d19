using System.Runtime.InteropServices;

namespace Mesh.Native.Interop;

/// <summary>Raw declarations of the libbpf.so.1 (1.1+) functions the project uses.</summary>
internal static unsafe partial class Libbpf
{
    public const int BpfAny = 0;
    public const uint BpfTcIngress = 1;
    public const uint BpfTcFReplace = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct BpfTcHook
    {
        public nuint Sz;
        public int Ifindex;
        public uint AttachPoint;
        public uint Parent;
        private readonly uint _pad;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BpfTcOpts
    {
        public nuint Sz;
        public int ProgFd;
        public uint Flags;
        public uint ProgId;
        public uint Handle;
        public uint Priority;
        private readonly uint _pad;
    }

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ObjectOpenFile(string path, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindProgramByName(nint obj, string name);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindMapByName(nint obj, string name);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__next_map")]
    public static partial nint ObjectNextMap(nint obj, nint prev);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__name")]
    public static partial byte* MapName(nint map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__set_initial_value")]
    public static partial int MapSetInitialValue(nint map, void* data, nuint size);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint prog);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    public static partial nint ProgramAttachCgroup(nint prog, int cgroupFd);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_elem")]
    public static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_update_elem")]
    public static partial int MapUpdateElem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_delete_elem")]
    public static partial int MapDeleteElem(int fd, void* key);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_get_next_key")]
    public static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_prog_load", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ProgLoad(uint progType, string? name, string license, ulong* insns, nuint insnCount, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_probe_bpf_helper")]
    public static partial int ProbeHelper(uint progType, uint helperId, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_probe_bpf_prog_type")]
    public static partial int ProbeProgType(uint progType, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjPin(int fd, string path);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjGet(string path);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_create")]
    public static partial int LinkCreate(int progFd, int targetFd, uint attachType, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_update")]
    public static partial int LinkUpdate(int linkFd, int newProgFd, nint opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_detach")]
    public static partial int LinkDetach(int linkFd);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__expected_attach_type")]
    public static partial uint ProgramExpectedAttachType(nint prog);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__pin", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ProgramPin(nint prog, string path);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__reuse_fd")]
    public static partial int MapReuseFd(nint map, int fd);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__pin", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MapPin(nint map, string path);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(nint fn);
}
