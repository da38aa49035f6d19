using System.Runtime.InteropServices;

namespace Mesh.Native.Net;

/// <summary>What a thread does while inside a pod's network namespace (unmanaged memory, no GC).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NetNsWork
{
    public const int IfNameSize = 16;
    public const int PathSize = 128;

    public int TargetFd;
    public int HomeFd;
    public NetNsOp Op;
    public uint Mark;
    public int Transparent;
    public int ReuseAddress;
    public int Family;
    public int Type;
    public int Protocol;
    public int OpenFlags;
    public int ProgFd;
    public uint Handle;
    public uint Priority;
    public fixed byte IfName[IfNameSize];
    public fixed byte Path[PathSize];

    // results
    public int Result;
    public int Ifindex;
    public int Errno;
    public NetNsStep FailedStep;
    public int ReturnedHome;
}

internal enum NetNsOp
{
    CreateSocket,
    InterfaceIndex,
    AttachTcx,
    AttachClsact,
    DetachClsact,
    OpenFile,
}

internal enum NetNsStep
{
    None,
    EnterNamespace,
    Socket,
    SetMark,
    SetTransparent,
    SetReuseAddress,
    InterfaceIndex,
    LinkCreate,
    HookCreate,
    TcAttach,
    TcDetach,
    Open,
}
