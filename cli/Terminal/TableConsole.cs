using Spectre.Console;

namespace Mesh.Cli.Terminal;

/// <summary>
/// The Spectre.Console console meshctl's tables are written to: colours on a terminal; plain and never wrapped when the
/// output is not one (a file, a pipe, a test), so a row stays one line.
/// </summary>
internal static class TableConsole
{
    public static IAnsiConsole Create(TextWriter output, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 4096;
        }
        return console;
    }
}
