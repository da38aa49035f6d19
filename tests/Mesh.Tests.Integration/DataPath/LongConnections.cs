namespace Mesh.Tests.Integration.DataPath;

/// <summary>
/// A client run inside a lab pod (python3, so its sockets are the pod's, in its cgroup, captured like an app's): opens
/// N idle connections to a TCP echo server plus one that transfers without pause, checks each echoes, prints OPEN,
/// then waits until the file <c>go</c> exists, sleeps the seconds written in it, and reports per connection whether
/// it still echoes ("ok"), ended cleanly ("eof") or was reset ("reset"); the transfer's line says how many bytes it
/// moved after OPEN and how it ended.
/// </summary>
internal static class LongConnections
{
    public const string Script = """
        import os, socket, sys, threading, time
        host, port, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        def echo(s, data):
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(len(data) - len(got))
                if not chunk:
                    return "eof"
                got += chunk
            return "ok" if got == data else "garbled"
        def check(s, data):
            try:
                return echo(s, data)
            except (ConnectionResetError, BrokenPipeError):
                return "reset"
            except socket.timeout:
                return "timeout"
        idle = [socket.create_connection((host, port), timeout=10) for _ in range(count)]
        for i, s in enumerate(idle):
            assert check(s, b"before-%d\n" % i) == "ok"
        bulk = socket.create_connection((host, port), timeout=10)
        state = {"bytes": 0, "end": "running", "stop": False}
        def transfer():
            chunk = os.urandom(16384)
            while not state["stop"]:
                r = check(bulk, chunk)
                if r != "ok":
                    state["end"] = r
                    return
                state["bytes"] += len(chunk)
                time.sleep(0.01)
            state["end"] = "ok"
        t = threading.Thread(target=transfer)
        t.start()
        print("OPEN", flush=True)
        while not os.path.exists(go):
            time.sleep(0.05)
        time.sleep(0.2)
        delay = float(open(go).read().strip() or "0")
        time.sleep(delay)
        moved_before = state["bytes"]
        for i, s in enumerate(idle):
            print("idle %d %s" % (i, check(s, b"after-%d\n" % i)), flush=True)
        time.sleep(0.5)
        state["stop"] = True
        t.join(10)
        print("transfer %s %d" % (state["end"], state["bytes"] - moved_before), flush=True)
        """;
}
