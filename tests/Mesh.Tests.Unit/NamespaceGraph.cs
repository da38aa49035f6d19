using System.Reflection;

namespace Mesh.Tests.Unit;

/// <summary>
/// "Namespace A uses a type of namespace B" within one assembly, from its compiled code: base types, interfaces,
/// fields, properties, events, method signatures, locals, catch clauses, generic arguments and constraints,
/// attributes (and the types they name) and every type, method or field a method body names. Nested and
/// compiler-generated types (lambdas, async state machines, display classes) count for the namespace of their
/// outermost type. Each edge keeps its first example ("Type.Member uses Namespace.Type").
/// </summary>
internal static class NamespaceGraph
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static
        | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    /// <summary>The edges between the assembly's Mesh namespaces, each with one example of the use.</summary>
    public static Dictionary<(string From, string To), string> Of(Assembly assembly)
    {
        var edges = new Dictionary<(string From, string To), string>();
        foreach (var type in TypesOf(assembly).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (NamespaceOf(type, assembly) is not { } from)
            {
                continue;
            }
            foreach (var (member, used) in Uses(type))
            {
                foreach (var target in Expand(used))
                {
                    if (NamespaceOf(target, assembly) is { } to && to != from)
                    {
                        edges.TryAdd((from, to), $"{type.FullName}.{member} uses {target.FullName ?? target.Name}");
                    }
                }
            }
        }
        return edges;
    }

    /// <summary>The namespace <paramref name="type"/> counts for: its outermost type's, when that is a Mesh namespace of <paramref name="assembly"/>.</summary>
    private static string? NamespaceOf(Type type, Assembly assembly)
    {
        if (type.Assembly != assembly)
        {
            return null;
        }
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type.Namespace is { } ns && (ns == "Mesh" || ns.StartsWith("Mesh.", StringComparison.Ordinal)) ? ns : null;
    }

    private static IEnumerable<Type> TypesOf(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    /// <summary>(member name, a type it uses) for everything <paramref name="type"/> declares.</summary>
    private static IEnumerable<(string Member, Type Used)> Uses(Type type)
    {
        const string declaration = "(declaration)";
        foreach (var used in new[] { type.BaseType }.Concat(type.GetInterfaces()).OfType<Type>())
        {
            yield return (declaration, used);
        }
        foreach (var used in AttributeTypes(type.GetCustomAttributesData()).Concat(Constraints(type)))
        {
            yield return (declaration, used);
        }
        foreach (var field in type.GetFields(Declared))
        {
            foreach (var used in AttributeTypes(field.GetCustomAttributesData()).Append(field.FieldType))
            {
                yield return (field.Name, used);
            }
        }
        foreach (var property in type.GetProperties(Declared))
        {
            foreach (var used in AttributeTypes(property.GetCustomAttributesData()).Append(property.PropertyType))
            {
                yield return (property.Name, used);
            }
        }
        foreach (var e in type.GetEvents(Declared))
        {
            if (e.EventHandlerType is { } handler)
            {
                yield return (e.Name, handler);
            }
        }
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            foreach (var used in MethodUses(method))
            {
                yield return (method.Name, used);
            }
        }
    }

    private static IEnumerable<Type> MethodUses(MethodBase method)
    {
        foreach (var used in AttributeTypes(method.GetCustomAttributesData()))
        {
            yield return used;
        }
        if (method is MethodInfo info)
        {
            yield return info.ReturnType;
            foreach (var used in AttributeTypes(info.ReturnParameter.GetCustomAttributesData()))
            {
                yield return used;
            }
        }
        foreach (var parameter in method.GetParameters())
        {
            yield return parameter.ParameterType;
            foreach (var used in AttributeTypes(parameter.GetCustomAttributesData()))
            {
                yield return used;
            }
        }
        if (method.IsGenericMethodDefinition)
        {
            foreach (var used in method.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()))
            {
                yield return used;
            }
        }
        if (method.GetMethodBody() is { } body)
        {
            foreach (var local in body.LocalVariables)
            {
                yield return local.LocalType;
            }
            foreach (var clause in body.ExceptionHandlingClauses)
            {
                if (clause.Flags == ExceptionHandlingClauseOptions.Clause && clause.CatchType is { } caught)
                {
                    yield return caught;
                }
            }
        }
        foreach (var member in IlMemberReferences.Of(method))
        {
            foreach (var used in MemberTypes(member))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types a member named in IL stands for: a type itself, a method's or field's declaring type and a method's generic arguments.</summary>
    private static IEnumerable<Type> MemberTypes(MemberInfo member) => member switch
    {
        Type type => [type],
        MethodBase { DeclaringType: { } owner } method => method.IsGenericMethod ? [owner, .. method.GetGenericArguments()] : [owner],
        FieldInfo { DeclaringType: { } owner } => [owner],
        _ => [],
    };

    private static IEnumerable<Type> Constraints(Type type) =>
        type.IsGenericTypeDefinition ? type.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()) : [];

    /// <summary>An attribute's type and the types it names (typeof arguments, also in arrays).</summary>
    private static IEnumerable<Type> AttributeTypes(IList<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            yield return attribute.AttributeType;
            var arguments = attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue));
            foreach (var argument in arguments)
            {
                var values = argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [argument.Value];
                foreach (var value in values.OfType<Type>())
                {
                    yield return value;
                }
            }
        }
    }

    /// <summary><paramref name="type"/> and the types it is made of: element types, generic definitions and arguments, function pointer signatures.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.IsGenericParameter)
        {
            yield break;
        }
        if (type.HasElementType && type.GetElementType() is { } element)
        {
            foreach (var inner in Expand(element))
            {
                yield return inner;
            }
            yield break;
        }
        if (type.IsFunctionPointer)
        {
            foreach (var inner in type.GetFunctionPointerParameterTypes().Append(type.GetFunctionPointerReturnType()).SelectMany(Expand))
            {
                yield return inner;
            }
            yield break;
        }
        if (type.IsConstructedGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand).Prepend(type.GetGenericTypeDefinition()))
            {
                yield return inner;
            }
            yield break;
        }
        yield return type;
    }
}
