
namespace AmiVault.Tests.Architecture;

/// <summary>
/// Holds the compiled code to ARCHITECTURE.md: its table of parts (which assembly each lives in, which parts it may
/// use) must be exactly what the IL shows, and the parts must form no cycle. A change that adds a dependency, or
/// removes one, changes the table in the same commit.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Assemblies = ["AmiVault.Archive", "AmiVault.Storage", "AmiVault.Server", "AmiVault.Client", "amivault"];

    /// <summary>Which of our assemblies each may reference: the layers, bottom first.</summary>
    private static readonly Dictionary<string, string[]> AllowedReferences = new()
    {
        ["AmiVault.Archive"] = [],
        ["AmiVault.Storage"] = ["AmiVault.Archive"],
        ["AmiVault.Server"] = ["AmiVault.Storage", "AmiVault.Archive"],
        ["AmiVault.Client"] = ["AmiVault.Storage", "AmiVault.Archive"],
        ["amivault"] = ["AmiVault.Server", "AmiVault.Client", "AmiVault.Storage", "AmiVault.Archive"],
    };

    private static IEnumerable<string> AssemblyPaths => Assemblies.Select(a => Path.Combine(AppContext.BaseDirectory, a + ".dll"));

    [Fact]
    public void Each_assembly_references_only_the_layers_below_it()
    {
        foreach (var name in Assemblies)
        {
            var assembly = System.Reflection.Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"));
            var ours = assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(Assemblies.Contains).ToList();
            var forbidden = ours.Except(AllowedReferences[name]).ToList();
            Assert.True(forbidden.Count == 0, $"{name} references {string.Join(", ", forbidden)}, which its layer may not use.");
        }
    }

    [Fact]
    public void Every_part_lives_in_the_assembly_the_table_names()
    {
        var table = ArchitectureTable.Read(FindArchitectureDocument());
        var actual = NamespaceDependencies.AssemblyOfPart(AssemblyPaths);
        var problems = new List<string>();
        foreach (var (part, assembly) in actual)
        {
            if (!table.TryGetValue(part, out var row))
            {
                problems.Add($"`{part}` (in {assembly}) is not in ARCHITECTURE.md's table of parts.");
            }
            else if (row.Assembly != assembly)
            {
                problems.Add($"`{part}` is in {assembly}, but ARCHITECTURE.md puts it in {row.Assembly}.");
            }
        }

        problems.AddRange(table.Keys.Except(actual.Keys).Select(p => $"ARCHITECTURE.md lists `{p}`, which has no code."));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Each_part_uses_exactly_the_parts_the_table_allows()
    {
        var table = ArchitectureTable.Read(FindArchitectureDocument());
        var actual = NamespaceDependencies.Read(AssemblyPaths);
        var problems = new List<string>();
        foreach (var (part, uses) in actual)
        {
            var allowed = table.TryGetValue(part, out var row) ? row.MayUse : new HashSet<string>();
            problems.AddRange(uses.Except(allowed).Order().Select(u => $"`{part}` uses `{u}`, which ARCHITECTURE.md does not allow ({Users(part, u)})."));
            problems.AddRange(allowed.Except(uses).Order().Select(u => $"ARCHITECTURE.md says `{part}` may use `{u}`, but it does not: take it out of the table."));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_parts_form_no_cycle()
    {
        var table = ArchitectureTable.Read(FindArchitectureDocument());
        var state = new Dictionary<string, int>();
        var path = new Stack<string>();

        void Visit(string part)
        {
            state[part] = 1;
            path.Push(part);
            foreach (var next in table.TryGetValue(part, out var row) ? row.MayUse : new HashSet<string>())
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    Assert.Fail("Cycle: " + string.Join(" -> ", path.Reverse().SkipWhile(p => p != next).Append(next)));
                }

                if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            path.Pop();
            state[part] = 2;
        }

        foreach (var part in table.Keys.Where(p => state.GetValueOrDefault(p) == 0))
        {
            Visit(part);
        }
    }

    /// <summary>A hint for the failure message: which types of a part name the other part.</summary>
    private static string Users(string part, string used) =>
        "see the types of AmiVault." + part + " that name AmiVault." + used;

    private static string FindArchitectureDocument()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "ARCHITECTURE.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("ARCHITECTURE.md was not found above the test's folder.");
    }
}
