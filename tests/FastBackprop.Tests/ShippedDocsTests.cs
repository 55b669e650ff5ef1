using System.Reflection;
using System.Xml.Linq;

namespace FastBackprop.Tests;

/// <summary>
/// The XML docs beside the library (the file the package ships) describe what a consumer can call: the build
/// filters the compiler's file (build/PublicXmlDocs.targets), and these tests check its result by reflection, a
/// route independent of the filter's own documentation IDs.
/// </summary>
public class ShippedDocsTests
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Library = typeof(Gemm).Assembly;

    /// <summary>Types by the name documentation IDs give them: namespace and enclosing types joined by dots.</summary>
    private static readonly Dictionary<string, Type> TypesByDocName =
        Library.GetTypes().ToDictionary(t => t.FullName!.Replace('+', '.'), StringComparer.Ordinal);

    [Fact]
    public void Shipped_xml_docs_name_only_public_and_protected_members()
    {
        var entriesPerMember = new Dictionary<(Type Type, string Name), int>();
        foreach (string id in DocumentedIds())
        {
            if (id.StartsWith("T:", StringComparison.Ordinal))
            {
                Assert.True(TypesByDocName.TryGetValue(id[2..], out Type? type), $"{id} names no type of the library");
                Assert.True(type.IsVisible, $"{id} is documented but not public");
                continue;
            }

            // M:Namespace.Type.Name``1(parameters): the declaring type, then the member's name up to its arity or parameters.
            string path = id[2..].Split('(')[0];
            int dot = path.LastIndexOf('.');
            string typeName = path[..dot];
            string name = path[(dot + 1)..].Split('`')[0].Replace("#ctor", ".ctor", StringComparison.Ordinal);
            Assert.True(TypesByDocName.TryGetValue(typeName, out Type? declaring), $"{id} names no type of the library");
            Assert.True(declaring.IsVisible, $"{id} is a member of a type that is not public");
            var key = (declaring, name);
            entriesPerMember[key] = entriesPerMember.GetValueOrDefault(key) + 1;
        }

        foreach (((Type type, string name), int entries) in entriesPerMember)
        {
            int visible = type.GetMember(name, Declared).Count(IsVisible);
            Assert.True(entries <= visible,
                $"{type.FullName}.{name} has {entries} documented overloads but only {visible} public or protected ones");
        }
    }

    [Fact]
    public void Every_public_type_is_in_the_shipped_xml_docs()
    {
        var documented = DocumentedIds().Where(id => id.StartsWith("T:", StringComparison.Ordinal)).Select(id => id[2..]).ToHashSet();
        foreach (Type type in Library.GetExportedTypes())
        {
            Assert.Contains(type.FullName!.Replace('+', '.'), documented);
        }
    }

    private static IEnumerable<string> DocumentedIds()
    {
        string path = Path.ChangeExtension(Library.Location, ".xml");
        Assert.True(File.Exists(path), $"{path} is missing: the library's XML docs are not beside it");
        return XDocument.Load(path).Root!.Element("members")!.Elements("member").Select(m => (string)m.Attribute("name")!);
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo @event => @event.AddMethod is { } add && IsVisible(add),
        Type nested => nested.IsVisible,
        _ => false,
    };
}
