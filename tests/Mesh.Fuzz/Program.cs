using Mesh.Fuzz;
using SharpFuzz;

// Mesh.Fuzz TARGET            under afl-fuzz (scripts/fuzz.sh): one input per run from stdin, out of process
//                             (a stack overflow or a hang kills only the child, which is restarted).
// Mesh.Fuzz TARGET FILE...    replay: run each file once, print the outcome, exit 1 if any fails.
// Mesh.Fuzz --list            the target names.
// Mesh.Fuzz --seeds DIR       (re)write the generated seeds (discovery lines from the real writer) under DIR.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Mesh.Fuzz TARGET [FILE...] | --list | --seeds DIR; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
if (args[0] == "--list")
{
    foreach (var name in FuzzTargets.Names)
    {
        Console.WriteLine(name);
    }
    return 0;
}
if (args[0] == "--seeds" && args.Length == 2)
{
    SeedWriter.Write(args[1]);
    return 0;
}
if (FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"fuzz: unknown target '{args[0]}'; use one of {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
if (args.Length > 1)
{
    return Replay.Run(target, args[1..]);
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    AllocationGuard.Run(target, buffer.ToArray());
});
return 0;
