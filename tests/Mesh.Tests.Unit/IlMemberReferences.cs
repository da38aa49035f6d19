using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;

namespace Mesh.Tests.Unit;

/// <summary>
/// The types, methods and fields a method body names in its IL: every operand of a type, method, field or token
/// instruction, resolved in the generic context of its method. The opcode table is built from <see cref="OpCodes"/>,
/// so every instruction's operand size is the runtime's own.
/// </summary>
internal static class IlMemberReferences
{
    private static readonly OpCode?[] OneByte = new OpCode?[256];
    private static readonly OpCode?[] TwoByte = new OpCode?[256];

#pragma warning disable CA1810 // the table is filled once, from the OpCodes fields
    static IlMemberReferences()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is OpCode code && code.OpCodeType != OpCodeType.Nternal)
            {
                var value = (ushort)code.Value;
                (code.Size == 1 ? OneByte : TwoByte)[value & 0xff] = code;
            }
        }
    }
#pragma warning restore CA1810

    /// <summary>What the body of <paramref name="method"/> references; tokens that do not resolve are left out.</summary>
    public static IEnumerable<MemberInfo> Of(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            if (code is not { } op)
            {
                throw new InvalidOperationException($"unknown IL opcode 0x{il[i]:x2} at {i} in {method.DeclaringType}.{method.Name}");
            }
            i += op.Size;
            var operand = op.OperandType;
            if (operand is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok
                && Resolve(method.Module, BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(i)), typeArgs, methodArgs) is { } member)
            {
                yield return member;
            }
            i += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(i))),
                _ => 4,
            };
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try
        {
            return module.ResolveMember(token, typeArgs, methodArgs);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or FileLoadException
            or BadImageFormatException or MissingMemberException or NotSupportedException)
        {
            return null;
        }
    }
}
