using System.CommandLine;
using Mesh.Cli.Terminal;
using Mesh.Lab;

namespace Mesh.Cli;

/// <summary>
/// Parses and runs a command line. Usage errors: one line on stderr, exit 2. Failures (a module's exception):
/// one line on stderr, exit 1. Commands return their own exit code otherwise.
/// </summary>
internal static class CliRunner
{
    public const int Usage = 2;
    public const int Failure = 1;

    public static int Run(RootCommand root, string[] args)
    {
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            var message = Mesh.Core.CommandLine.FlagParser.OneLine(result.Errors[0].Message);
            Console.Error.WriteLine($"meshctl: {message} (see 'meshctl {string.Join(' ', CommandPath(result))} --help')");
            return Usage;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (LabException e)
        {
            Console.Error.WriteLine($"meshctl: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is Cluster.ClusterException or ControlPlane.Kubernetes.KubeConfigException or Stat.StatException)
        {
            Console.Error.WriteLine($"meshctl: {e.Message}");
            return Failure;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"meshctl: {e.Message}");
            return Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("meshctl: interrupted");
            return Failure;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Command is not RootCommand)
            {
                names.Insert(0, c.Command.Name);
            }
        }
        return names;
    }
}
