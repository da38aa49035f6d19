namespace Mesh.Fuzz;

/// <summary>Runs saved inputs once each (seeds, crashes found by afl-fuzz) and reports every outcome.</summary>
internal static class Replay
{
    public static int Run(IFuzzTarget target, string[] paths)
    {
        var failed = 0;
        foreach (var path in paths.SelectMany(Expand))
        {
            try
            {
                AllocationGuard.Run(target, File.ReadAllBytes(path));
                Console.WriteLine($"ok   {path}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FAIL {path}: {e.GetType().Name}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static IEnumerable<string> Expand(string path) =>
        Directory.Exists(path) ? Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal) : [path];
}
