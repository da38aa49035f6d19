using System.CommandLine;
using Mesh.Cli.Terminal;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab label namespace NAME key=value | key-</c>: set or remove a namespace label at runtime.</summary>
internal static class LabLabelCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = "object kind (namespace)" };
        var target = new Argument<string>("name") { Description = "namespace name" };
        var change = new Argument<string>("label") { Description = "key=value to set, key- to remove" };
        var name = LabCommand.NameOption("lab (default: the only one)");
        var cmd = new Command("label", "set or remove a label of a namespace (e.g. mesh.dev/dataplane-mode=ambient)") { kind, target, change, name };
        cmd.SetAction(parse =>
        {
            var k = parse.GetRequiredValue(kind);
            if (k is not ("namespace" or "ns"))
            {
                throw new UsageException($"only namespaces can be labelled at runtime, not '{k}'");
            }
            var (key, value) = ParseChange(parse.GetRequiredValue(change));
            var lab = LabCommand.OpenNamedOrOnly(parse.GetValue(name));
            var ns = parse.GetRequiredValue(target);
            lab.SetNamespaceLabel(ns, key, value);
            Console.WriteLine(value is null ? $"namespace/{ns} label {key} removed" : $"namespace/{ns} labelled {key}={value}");
            return 0;
        });
        return cmd;
    }

    internal static (string Key, string? Value) ParseChange(string change)
    {
        if (change.EndsWith('-') && !change.Contains('=', StringComparison.Ordinal) && change.Length > 1)
        {
            return (change[..^1], null);
        }
        var eq = change.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"'{change}' is not key=value or key-");
        }
        return (change[..eq], change[(eq + 1)..]);
    }
}
