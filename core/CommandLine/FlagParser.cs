using System.CommandLine;
using System.CommandLine.Help;

namespace Mesh.Core.CommandLine;

/// <summary>
/// The one argument parser of the mesh's binaries (ztunnel, waypoint, controlplane, mesh-cni; meshctl builds its
/// System.CommandLine tree itself): System.CommandLine parses, so help (<c>--help</c>), unknown options (with its
/// "did you mean"), missing values and repeated flags read alike everywhere; a flag not given is looked up in the
/// environment (<see cref="Flag.EnvironmentVariables"/>). The binaries' option records then check the values.
/// </summary>
public static class FlagParser
{
    /// <summary>Parses <paramref name="args"/> for a command named <paramref name="command"/> taking <paramref name="flags"/> and <paramref name="switches"/> (value-less options).</summary>
    public static FlagParse Parse(string command, string description, IReadOnlyList<Flag> flags, IReadOnlyList<string> args,
        Func<string, string?> environment, IReadOnlyList<Flag>? switches = null)
    {
        // A subcommand path ("ztunnel uninstall") names the command by its last word; errors name the whole path.
        var root = new Command(command.Split(' ')[^1], description) { new HelpOption() };
        var options = new List<(Flag Flag, Option<string> Option)>();
        foreach (var flag in flags)
        {
            var help = flag.Default is null ? flag.Description : $"{flag.Description} (default {flag.Default})";
            var option = new Option<string>("--" + flag.Name)
            {
                Description = $"{help} [env {string.Join(", ", flag.EnvironmentVariables)}]",
                HelpName = flag.HelpName,
            };
            root.Add(option);
            options.Add((flag, option));
        }
        var switchOptions = new List<(Flag Flag, Option<bool> Option)>();
        foreach (var flag in switches ?? [])
        {
            var option = new Option<bool>("--" + flag.Name) { Description = flag.Description };
            root.Add(option);
            switchOptions.Add((flag, option));
        }
        // No response files: a value starting with @ is a value.
        var result = root.Parse(args.ToArray(), new ParserConfiguration { EnablePosixBundling = false, ResponseFileTokenReplacer = null });
        if (result.Action is HelpAction)
        {
            using var text = new StringWriter();
            result.Invoke(new InvocationConfiguration { Output = text, EnableDefaultExceptionHandler = false });
            return new FlagParse(new Dictionary<string, string>(), text.ToString(), null);
        }
        if (result.Errors.Count > 0)
        {
            return new FlagParse(new Dictionary<string, string>(), null, $"{OneLine(result.Errors[0].Message)} (see '{command} --help')");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (flag, option) in options)
        {
            var given = result.GetResult(option) is not null ? result.GetValue(option) : null;
            var value = given ?? flag.EnvironmentVariables.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v));
            if (value is not null)
            {
                values[flag.Name] = value;
            }
        }
        foreach (var (flag, option) in switchOptions)
        {
            if (result.GetValue(option)
                || flag.EnvironmentVariables.Select(environment).Any(v => v is "1" or "true"))
            {
                values[flag.Name] = "true";
            }
        }
        return new FlagParse(values, null, null);
    }

    /// <summary>A System.CommandLine error message as one line (its messages may span several), for every binary's usage errors.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
