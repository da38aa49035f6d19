extern alias cni;

using System.Diagnostics;
using System.Text.Json.Nodes;
using cni::Mesh.Cni.Install;

namespace Mesh.Tests.Unit.Cni.Install;

/// <summary>`mesh-cni install` on temporary host folders: the copy, the chaining, re-chaining after the network plugin rewrites its file, unchaining at stop.</summary>
public sealed class CniInstallerTests : IDisposable
{
    private const string Socket = "/var/run/mesh/cni.sock";
    private readonly string _root = Directory.CreateTempSubdirectory("mesh-cni-install-").FullName;

    public CniInstallerTests()
    {
        Directory.CreateDirectory(BinDir);
        Directory.CreateDirectory(ConfDir);
        File.WriteAllText(Self, "#!/bin/sh\necho mesh-cni\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string BinDir => Path.Combine(_root, "opt/cni/bin");
    private string ConfDir => Path.Combine(_root, "etc/cni/net.d");
    private string Self => Path.Combine(_root, "self");
    private string Kindnet => Path.Combine(ConfDir, "10-kindnet.conflist");

    private CniInstaller Installer(bool once, StringWriter? log = null) =>
        new(new CniInstallOptions { BinDir = BinDir, ConfDir = ConfDir, Socket = Socket, Once = once }, log ?? new StringWriter());

    private static List<string> Types(string path) => [.. JsonNode.Parse(File.ReadAllText(path))!["plugins"]!.AsArray().Select(p => p!["type"]!.ToString())];

    /// <summary>Waits for a state of the files (the installer's thread writes them); fails with what it saw.</summary>
    private static void WaitFor(Func<bool> condition, Func<string> describe)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"not reached within 30 s: {describe()}");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Run_Once_CopiesTheExecutableAndChainsTheRuntimesConfList()
    {
        File.WriteAllText(Kindnet, ConfLists.Kindnet);
        File.WriteAllText(Path.Combine(ConfDir, "99-loopback.conf"), ConfLists.LoopbackConf);
        var log = new StringWriter();

        Installer(once: true, log).Run(Self, CancellationToken.None);

        var installed = Path.Combine(BinDir, "mesh-cni");
        Assert.Equal(File.ReadAllBytes(Self), File.ReadAllBytes(installed));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(installed).HasFlag(UnixFileMode.OtherExecute));
        Assert.Equal(["ptp", "portmap", "mesh-cni"], Types(Kindnet));
        Assert.Equal(ConfLists.LoopbackConf, File.ReadAllText(Path.Combine(ConfDir, "99-loopback.conf")));
        Assert.Equal(["10-kindnet.conflist", "99-loopback.conf"], Directory.GetFiles(ConfDir).Select(Path.GetFileName).Order());
        Assert.Equal(["mesh-cni"], Directory.GetFiles(BinDir).Select(Path.GetFileName));
        Assert.Contains($"chained mesh-cni into {Kindnet}", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OnceSingleConf_ReplacesItWithAConfList()
    {
        File.WriteAllText(Path.Combine(ConfDir, "10-mynet.conf"), ConfLists.MynetConf);

        Installer(once: true).Run(Self, CancellationToken.None);

        Assert.Equal(["10-mynet.conflist"], Directory.GetFiles(ConfDir).Select(Path.GetFileName));
        Assert.Equal(["bridge", "mesh-cni"], Types(Path.Combine(ConfDir, "10-mynet.conflist")));
    }

    [Fact]
    public void Run_OnceWithoutConfiguration_FailsSayingToInstallTheNetworkPlugin()
    {
        var e = Assert.Throws<CniInstallException>(() => Installer(once: true).Run(Self, CancellationToken.None));

        Assert.Contains("install the cluster's network plugin first", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Watching_RechainsAfterTheNetworkPluginRewritesAndUnchainsAtStop()
    {
        File.WriteAllText(Kindnet, ConfLists.Kindnet);
        using var stop = new CancellationTokenSource();
        var installer = Installer(once: false);
        var (thread, failed) = Watch(installer, stop.Token);
        try
        {
            WaitFor(() => SafeTypes(Kindnet).Contains("mesh-cni"), () => File.ReadAllText(Kindnet));

            // kindnet rewrites its file (e.g. at its own restart) without our entry.
            File.WriteAllText(Kindnet, ConfLists.Kindnet);
            WaitFor(() => SafeTypes(Kindnet) is ["ptp", "portmap", "mesh-cni"], () => File.ReadAllText(Kindnet));
        }
        finally
        {
            stop.Cancel();
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the installer did not stop after the cancellation");
        }

        Assert.Null(failed());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ConfLists.Kindnet), JsonNode.Parse(File.ReadAllText(Kindnet))));
        // Kept: pods created while it was chained get their DEL through it.
        Assert.True(File.Exists(Path.Combine(BinDir, "mesh-cni")));
    }

    [Fact]
    public void Run_Watching_ConfFileCaughtMidWrite_WaitsForTheWholeFileThenChains()
    {
        // What the installer reads while the network plugin rewrites its file: truncated JSON. It must keep watching.
        File.WriteAllText(Kindnet, ConfLists.Kindnet[..20]);
        using var stop = new CancellationTokenSource();
        var log = new StringWriter();
        var installer = Installer(once: false, log);
        var (thread, failed) = Watch(installer, stop.Token);
        try
        {
            WaitFor(() => log.ToString().Contains("is not valid JSON", StringComparison.Ordinal) || failed() is not null, log.ToString);
            Assert.Null(failed());
            File.WriteAllText(Kindnet, ConfLists.Kindnet);
            WaitFor(() => SafeTypes(Kindnet) is ["ptp", "portmap", "mesh-cni"], () => File.ReadAllText(Kindnet));
        }
        finally
        {
            stop.Cancel();
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the installer did not stop after the cancellation");
        }
        Assert.Null(failed());
    }

    /// <summary>Runs the watching installer on its own thread; <c>failed()</c> is what it threw, if anything.</summary>
    private (Thread Thread, Func<Exception?> Failed) Watch(CniInstaller installer, CancellationToken stop)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                installer.Run(Self, stop);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        return (thread, () => failure);
    }

    private static List<string> SafeTypes(string path)
    {
        try
        {
            return Types(path);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    [Theory]
    [InlineData(new[] { "--conf-dir", "/etc/cni/net.d" }, "--bin-dir (or $MESH_BIN_DIR) is required")]
    [InlineData(new[] { "--bin-dir", "/opt/cni/bin" }, "--conf-dir (or $MESH_CONF_DIR) is required")]
    [InlineData(new[] { "--bin-dir", "opt/cni/bin", "--conf-dir", "/etc/cni/net.d" }, "--bin-dir 'opt/cni/bin' must be an absolute path")]
    [InlineData(new[] { "--bin-dir", "/opt/cni/bin", "--conf-dir", "/etc/cni/net.d", "--cni-dir", "/x" }, "'--cni-dir'")]
    [InlineData(new[] { "--bin-dir" }, "Required argument missing for option: '--bin-dir'")]
    public void Parse_Wrong_SaysWhatToDo(string[] args, string message)
    {
        var e = Assert.Throws<CniInstallException>(() => CniInstallOptions.Parse(args));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_InstallOnce_ChainsAndAWrongFlagIsOneLineWithExit2()
    {
        File.WriteAllText(Kindnet, ConfLists.Kindnet);
        var binary = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Mesh.Cni", Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/')), "mesh-cni"));

        var ok = await RunAsync(binary, "install", "--bin-dir", BinDir, "--conf-dir", ConfDir, "--socket", Socket, "--once");
        var wrong = await RunAsync(binary, "install", "--bin-dir", "opt/cni/bin", "--conf-dir", ConfDir);

        Assert.True(ok.Exit == 0, ok.Stderr);
        Assert.Equal(["ptp", "portmap", "mesh-cni"], Types(Kindnet));
        Assert.Equal(File.ReadAllBytes(binary), File.ReadAllBytes(Path.Combine(BinDir, "mesh-cni")));
        Assert.Equal(2, wrong.Exit);
        Assert.Equal("mesh-cni install: --bin-dir 'opt/cni/bin' must be an absolute path", wrong.Stderr.Trim());
    }

    private static async Task<(int Exit, string Stderr)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stderr);
    }
}
