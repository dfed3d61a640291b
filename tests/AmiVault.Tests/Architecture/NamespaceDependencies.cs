using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AmiVault.Tests.Architecture;

/// <summary>
/// Which of our parts each compiled part of AmiVault uses, read from the IL of our assemblies: every type a type
/// names in its signatures, attributes and method bodies. A part is the namespace segment after "AmiVault"
/// (AmiVault.Protocols.Ec2 belongs to Protocols); nested and compiler-generated types count for their declaring type.
/// </summary>
internal static class NamespaceDependencies
{
    public static IReadOnlyDictionary<string, string> AssemblyOfPart(IEnumerable<string> assemblyPaths)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.Types)
            {
                if (PartOf(type.Namespace) is { } part)
                {
                    parts[part] = module.Assembly.Name.Name;
                }
            }
        }

        return parts;
    }

    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Read(IEnumerable<string> assemblyPaths)
    {
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes())
            {
                var outer = type;
                while (outer.DeclaringType is not null)
                {
                    outer = outer.DeclaringType;
                }

                if (PartOf(outer.Namespace) is not { } from)
                {
                    continue;
                }

                var set = uses.TryGetValue(from, out var existing) ? existing : uses[from] = [];
                foreach (var referenced in ReferencedTypes(type))
                {
                    if (PartOf(NamespaceOf(referenced)) is { } to && to != from)
                    {
                        set.Add(to);
                    }
                }
            }
        }

        return uses.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>"Protocols" for AmiVault.Protocols.Ec2; null outside our code (and for the tests' own namespaces).</summary>
    public static string? PartOf(string ns)
    {
        if (!ns.StartsWith("AmiVault.", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns["AmiVault.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var part = dot < 0 ? rest : rest[..dot];
        return part is "Tests" or "Benchmarks" ? null : part;
    }

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification spec:
                    Add(spec.ElementType);
                    return;
                default:
                    found.Add(t);
                    return;
            }
        }

        void AddMember(MemberReference member)
        {
            Add(member.DeclaringType);
            switch (member)
            {
                case MethodReference method:
                    Add(method.ReturnType);
                    foreach (var parameter in method.Parameters)
                    {
                        Add(parameter.ParameterType);
                    }

                    if (method is GenericInstanceMethod genericMethod)
                    {
                        foreach (var argument in genericMethod.GenericArguments)
                        {
                            Add(argument);
                        }
                    }

                    break;
                case FieldReference field:
                    Add(field.FieldType);
                    break;
            }
        }

        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                AddMember(attribute.Constructor);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    Add(argument.Value as TypeReference);
                }
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddMember(method);
            AddAttributes(method);
            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MemberReference m:
                        AddMember(m);
                        break;
                }
            }

            foreach (var handler in method.Body.ExceptionHandlers.Where(h => h.HandlerType == ExceptionHandlerType.Catch))
            {
                Add(handler.CatchType);
            }
        }

        return found;
    }
}
