using Mesh.Core.CommandLine;
using System.Runtime.InteropServices;

namespace Mesh.Cni.Install;

/// <summary>
/// <c>mesh-cni install</c>, the node DaemonSet's install-cni container: copies this executable (Native AOT, so it runs
/// on the host without .NET) into the host's CNI bin folder, chains it last into the conf list the runtime uses, keeps
/// it chained when the cluster's network plugin rewrites that file, and unchains it on SIGTERM. The binary stays in
/// the bin folder: pods created while it was chained get their CNI DEL from the runtime's cached config, which names it.
/// Console output only: one line per change.
/// </summary>
public sealed class CniInstaller(CniInstallOptions options, TextWriter log)
{
    /// <summary>How often the conf folder is looked at without a change notification (inotify misses writes over bind mounts).</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    public static int Run(IReadOnlyList<string> args)
    {
        var parse = FlagParser.Parse("mesh-cni install", CniInstallOptions.Description, CniInstallOptions.Flags, args, Environment.GetEnvironmentVariable,
            CniInstallOptions.Switches);
        if (parse.Help is { } help)
        {
            Console.Write(help);
            return 0;
        }
        CniInstallOptions options;
        try
        {
            options = parse.Error is { } error ? throw new CniInstallException(error) : CniInstallOptions.From(parse.Values);
        }
        catch (CniInstallException e)
        {
            Console.Error.WriteLine($"mesh-cni install: {e.Message}");
            return 2;
        }
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            new CniInstaller(options, Console.Out).Run(Environment.ProcessPath!, stop.Token);
            return 0;
        }
        catch (Exception e) when (e is CniInstallException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mesh-cni install: {e.Message}");
            return 1;
        }
    }

    /// <summary>Installs, chains, and (unless --once) keeps it chained until <paramref name="stop"/>, then unchains.</summary>
    public void Run(string self, CancellationToken stop)
    {
        InstallBinary(self);
        if (options.Once)
        {
            if (!Reconcile())
            {
                throw new CniInstallException($"no CNI configuration (*.conf, *.conflist, *.json) in {options.ConfDir}; install the cluster's network plugin first");
            }
            return;
        }
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(options.ConfDir) { IncludeSubdirectories = false };
        watcher.Changed += (_, _) => changed.Release();
        watcher.Created += (_, _) => changed.Release();
        watcher.Renamed += (_, _) => changed.Release();
        watcher.Deleted += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        var waiting = false;
        string? unusable = null;
        while (!stop.IsCancellationRequested)
        {
            bool chained;
            try
            {
                chained = Reconcile();
                unusable = null;
            }
            catch (CniInstallException e)
            {
                // Caught mid-write by the network plugin (a truncated file reads as invalid JSON), or really broken:
                // either way the next change or poll looks again. Said once per distinct problem.
                if (e.Message != unusable)
                {
                    log.WriteLine($"mesh-cni install: {e.Message}; waiting for the file to change");
                }
                unusable = e.Message;
                chained = true;
            }
            if (!chained && !waiting)
            {
                log.WriteLine($"mesh-cni install: no CNI configuration in {options.ConfDir} yet; waiting for the network plugin to write one");
            }
            waiting = !chained;
            try
            {
                changed.Wait(Poll, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Uninstall();
    }

    /// <summary>Copies <paramref name="self"/> to BIN/mesh-cni through a temporary file and a rename, so a runtime never execs a half-written file.</summary>
    public void InstallBinary(string self)
    {
        var target = Path.Combine(options.BinDir, ConfListChain.PluginType);
        var temporary = Path.Combine(options.BinDir, $".{ConfListChain.PluginType}.{Environment.ProcessId}.tmp");
        File.Copy(self, temporary, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        File.Move(temporary, target, overwrite: true);
        log.WriteLine($"mesh-cni install: installed {target}");
    }

    /// <summary>Chains mesh-cni into the runtime's conf file when it is not; false when the folder has no conf file.</summary>
    public bool Reconcile()
    {
        var name = ConfListChain.SelectConfFile(Directory.EnumerateFiles(options.ConfDir).Select(Path.GetFileName)!);
        if (name is null)
        {
            return false;
        }
        var path = Path.Combine(options.ConfDir, name);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        var result = ConfListChain.Chain(name, text, options.Socket);
        if (result.Changed)
        {
            WriteAtomically(Path.Combine(options.ConfDir, result.FileName), result.Text);
            if (result.FileName != name)
            {
                File.Delete(path);
            }
            log.WriteLine($"mesh-cni install: chained mesh-cni into {Path.Combine(options.ConfDir, result.FileName)}");
        }
        return true;
    }

    /// <summary>Removes mesh-cni from the runtime's conf file (pods created from now on are not handed to ztunnel).</summary>
    public void Uninstall()
    {
        var name = ConfListChain.SelectConfFile(Directory.EnumerateFiles(options.ConfDir).Select(Path.GetFileName)!);
        if (name is null)
        {
            return;
        }
        var path = Path.Combine(options.ConfDir, name);
        var result = ConfListChain.Unchain(name, File.ReadAllText(path));
        if (result.Changed)
        {
            WriteAtomically(path, result.Text);
            log.WriteLine($"mesh-cni install: removed mesh-cni from {path}");
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.mesh.tmp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
