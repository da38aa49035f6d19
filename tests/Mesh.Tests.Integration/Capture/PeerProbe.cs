namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// A tiny C client built at test time with clang-14: connects to IP:PORT (optionally with SO_MARK),
/// prints what getpeername() returns, sends an HTTP request and prints the reply. It shows what an
/// unmodified app sees through capture.
/// </summary>
internal static class PeerProbe
{
    private const string Source = """
        #include <arpa/inet.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            if (argc < 3) return 2;
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            if (argc > 3) { unsigned mark = strtoul(argv[3], 0, 0);
                if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark)) { perror("SO_MARK"); return 3; } }
            struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
            inet_pton(AF_INET, argv[1], &dst.sin_addr);
            if (connect(fd, (struct sockaddr *)&dst, sizeof dst)) { perror("connect"); return 4; }
            struct sockaddr_in peer; socklen_t len = sizeof peer;
            getpeername(fd, (struct sockaddr *)&peer, &len);
            char ip[32]; inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
            printf("getpeername=%s:%d\n", ip, ntohs(peer.sin_port));
            const char *req = "GET / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n";
            write(fd, req, strlen(req));
            char buf[4096]; ssize_t n;
            while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
            printf("\n");
            return 0;
        }
        """;

    private static readonly Lazy<string> s_binary = new(Build);

    /// <summary>The path of the built probe.</summary>
    public static string Path => s_binary.Value;

    private static string Build()
    {
        // One build per source version, reused by later runs (no temp folder per run).
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Source)))[..12];
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mesh-ebpf-probe-{hash}");
        var binary = System.IO.Path.Combine(dir, "probe");
        if (File.Exists(binary))
        {
            return binary;
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(System.IO.Path.Combine(dir, "probe.c"), Source);
        Shell.Run($"clang-14 -O1 -o {binary}.tmp {dir}/probe.c && mv {binary}.tmp {binary}");
        return binary;
    }
}
