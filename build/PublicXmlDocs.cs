#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Removes from a compiler-written XML documentation file every member a consumer of the assembly cannot see
/// (internal, private, private protected, or inside such a type), so the shipped docs describe the public API only.
/// </summary>
/// <remarks>
/// Visibility comes from the built assembly: every type and member is given its documentation ID (the compiler's
/// format, ECMA-334 annex D) and marked visible or not. An ID in the file that matches no member fails the task
/// rather than guessing, so a public member's docs are never dropped by a formatting slip here. The assembly is
/// loaded from bytes, never by path, so a long-lived build node reflects over this build's output and not a
/// cached earlier one; its references are resolved from <see cref="References"/>.
/// </remarks>
public sealed class PublicXmlDocs : Task
{
    /// <summary>The built assembly.</summary>
    [Required]
    public string Assembly { get; set; } = "";

    /// <summary>The XML documentation file, rewritten in place.</summary>
    [Required]
    public string DocumentationFile { get; set; } = "";

    /// <summary>The assemblies the built one references, to resolve types in member signatures.</summary>
    public ITaskItem[] References { get; set; } = [];

    public override bool Execute()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (ITaskItem reference in References)
        {
            byName[Path.GetFileNameWithoutExtension(reference.ItemSpec)] = reference.ItemSpec;
        }

        var loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        ResolveEventHandler resolve = (_, args) =>
        {
            string name = new AssemblyName(args.Name).Name ?? "";
            if (!loaded.TryGetValue(name, out Assembly? assembly) && byName.TryGetValue(name, out string? path))
            {
                assembly = System.Reflection.Assembly.Load(File.ReadAllBytes(path));
                loaded[name] = assembly;
            }

            return assembly;
        };
        AppDomain.CurrentDomain.AssemblyResolve += resolve;
        try
        {
            Dictionary<string, bool> visibility = Visibility(System.Reflection.Assembly.Load(File.ReadAllBytes(Assembly)));
            return Filter(visibility);
        }
        finally
        {
            AppDomain.CurrentDomain.AssemblyResolve -= resolve;
        }
    }

    private bool Filter(Dictionary<string, bool> visibility)
    {
        XDocument document = XDocument.Load(DocumentationFile, LoadOptions.PreserveWhitespace);
        XElement members = document.Root?.Element("members") ?? throw new InvalidDataException($"{DocumentationFile} has no <members>.");
        int kept = 0, removed = 0;
        foreach (XElement member in members.Elements("member").ToList())
        {
            string id = (string?)member.Attribute("name") ?? "";
            if (!visibility.TryGetValue(id, out bool visible))
            {
                Log.LogError($"{DocumentationFile}: no member of {Assembly} has the documentation ID '{id}'.");
                continue;
            }

            if (visible)
            {
                kept++;
                continue;
            }

            if (member.PreviousNode is XText indentation && string.IsNullOrWhiteSpace(indentation.Value))
            {
                indentation.Remove();
            }

            member.Remove();
            removed++;
        }

        if (Log.HasLoggedErrors)
        {
            return false;
        }

        using (XmlWriter writer = XmlWriter.Create(DocumentationFile, new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) }))
        {
            document.Save(writer);
        }

        Log.LogMessage(MessageImportance.Normal, $"{DocumentationFile}: kept {kept} public or protected members, removed {removed}.");
        return true;
    }

    private static Dictionary<string, bool> Visibility(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var visibility = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            bool typeVisible = IsVisible(type);
            string typeId = DefinitionId(type);
            visibility["T:" + typeId] = typeVisible;
            foreach (MemberInfo member in type.GetMembers(all))
            {
                (string prefix, string suffix, bool visible) = member switch
                {
                    ConstructorInfo c => ("M:", (c.IsStatic ? "#cctor" : "#ctor") + Parameters(c.GetParameters()), IsVisible(c)),
                    MethodInfo m => ("M:", MethodSuffix(m), IsVisible(m)),
                    PropertyInfo p => ("P:", p.Name.Replace('.', '#') + Parameters(p.GetIndexParameters()),
                        p.GetAccessors(true).Any(IsVisible)),
                    FieldInfo f => ("F:", f.Name, f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly),
                    EventInfo e => ("E:", e.Name.Replace('.', '#'), e.GetAddMethod(true) is { } add && IsVisible(add)),
                    _ => ("", "", false),
                };
                if (prefix.Length > 0)
                {
                    visibility[prefix + typeId + "." + suffix] = typeVisible && visible;
                }
            }
        }

        return visibility;
    }

    private static bool IsVisible(Type type) =>
        type.IsPublic
        || ((type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem) && IsVisible(type.DeclaringType!));

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string MethodSuffix(MethodInfo method)
    {
        string id = method.Name.Replace('.', '#');
        if (method.IsGenericMethodDefinition)
        {
            id += "``" + method.GetGenericArguments().Length;
        }

        id += Parameters(method.GetParameters());
        if (method.Name is "op_Implicit" or "op_Explicit")
        {
            id += "~" + SignatureId(method.ReturnType);
        }

        return id;
    }

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => SignatureId(p.ParameterType))) + ")";

    /// <summary>A type as a definition is named: <c>Namespace.Outer`1.Inner</c>.</summary>
    private static string DefinitionId(Type type) =>
        type.DeclaringType is { } outer ? DefinitionId(outer) + "." + type.Name
        : string.IsNullOrEmpty(type.Namespace) ? type.Name
        : type.Namespace + "." + type.Name;

    /// <summary>
    /// A type as a signature names it: generic parameters by position (<c>`0</c> of the type, <c>``0</c> of the
    /// method), constructed generics with their arguments in braces, <c>@</c> for by-reference, <c>*</c>, <c>[]</c>.
    /// </summary>
    private static string SignatureId(Type type)
    {
        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (type.IsByRef)
        {
            return SignatureId(type.GetElementType()!) + "@";
        }

        if (type.IsPointer)
        {
            return SignatureId(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            int rank = type.GetArrayRank();
            string dimensions = type.Name.EndsWith("[]", StringComparison.Ordinal)
                ? "[]"
                : "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]";
            return SignatureId(type.GetElementType()!) + dimensions;
        }

        if (!type.IsGenericType || type.IsGenericTypeDefinition)
        {
            return DefinitionId(type);
        }

        // Each level of a nested generic takes its own arguments from the flat list: Outer{A}.Inner{B}.
        Type[] arguments = type.GetGenericArguments();
        var levels = new List<Type>();
        for (Type? level = type.GetGenericTypeDefinition(); level is not null; level = level.DeclaringType)
        {
            levels.Insert(0, level);
        }

        string id = string.IsNullOrEmpty(levels[0].Namespace) ? "" : levels[0].Namespace + ".";
        int used = 0;
        for (int i = 0; i < levels.Count; i++)
        {
            string name = levels[i].Name;
            int tick = name.IndexOf('`');
            int arity = tick < 0 ? 0 : int.Parse(name.Substring(tick + 1), System.Globalization.CultureInfo.InvariantCulture);
            id += (i > 0 ? "." : "") + (tick < 0 ? name : name.Substring(0, tick));
            if (arity > 0)
            {
                id += "{" + string.Join(",", arguments.Skip(used).Take(arity).Select(SignatureId)) + "}";
                used += arity;
            }
        }

        return id;
    }
}
