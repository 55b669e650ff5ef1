using System.Collections;
using System.Diagnostics;
using System.Reflection;

using Xunit.Abstractions;

namespace FastBackprop.Tests;

/// <summary>
/// Runs this assembly's xunit facts and theories without a test host, for targets where <c>dotnet test</c> cannot
/// run (the suite published for linux-arm64 and started under qemu-aarch64). Supports what the suite uses:
/// [Fact], [Theory] with [InlineData] or [MemberData] (static members of the test class), Skip, constructor
/// injection of <see cref="ITestOutputHelper"/>, and <see cref="IDisposable"/> test classes.
/// Prints one line per failure and the closing line <c>N passed, N failed</c>; exits 1 if any failed.
/// Optional arguments filter tests: a test runs when "Class.Method" contains any argument that does not start with
/// '!' (or there is none) and none of those that do, less the '!'.
/// </summary>
public static class StandaloneRunner
{
    public static int Main(string[] args)
    {
        string[] filters = [.. args.Where(a => !a.StartsWith('!'))];
        string[] exclusions = [.. args.Where(a => a.StartsWith('!')).Select(a => a[1..])];
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        var clock = Stopwatch.StartNew();
        var testClasses = typeof(StandaloneRunner).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.IsPublic)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (Type type in testClasses)
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                var fact = method.GetCustomAttribute<FactAttribute>();
                string testName = $"{type.Name}.{method.Name}";
                if (fact is null || (filters.Length > 0 && !filters.Any(testName.Contains)) || exclusions.Any(testName.Contains))
                {
                    continue;
                }

                if (fact.Skip is not null)
                {
                    skipped++;
                    continue;
                }

                foreach (object?[] arguments in ArgumentSets(type, method, fact))
                {
                    string name = $"{type.Name}.{method.Name}({string.Join(", ", arguments)})";
                    try
                    {
                        Invoke(type, method, arguments);
                        passed++;
                    }
                    catch (Exception exception)
                    {
                        failed++;
                        Exception cause = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
                        Console.WriteLine($"FAIL {name}: {cause.GetType().Name}: {cause.Message}");
                    }
                }
            }
        }

        Console.WriteLine($"SIMD path {SimdInfo.ActivePath}, {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 ? 0 : 1;
    }

    private static IEnumerable<object?[]> ArgumentSets(Type type, MethodInfo method, FactAttribute fact)
    {
        if (fact is not TheoryAttribute)
        {
            yield return [];
            yield break;
        }

        foreach (var inline in method.GetCustomAttributes<InlineDataAttribute>())
        {
            foreach (object?[] row in inline.GetData(method))
            {
                yield return row;
            }
        }

        foreach (var member in method.GetCustomAttributes<MemberDataAttribute>())
        {
            Type source = member.MemberType ?? type;
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
            object? data = source.GetProperty(member.MemberName, flags)?.GetValue(null)
                ?? source.GetMethod(member.MemberName, flags)?.Invoke(null, member.Parameters)
                ?? source.GetField(member.MemberName, flags)?.GetValue(null)
                ?? throw new InvalidOperationException($"MemberData {member.MemberName} not found on {source.Name}.");
            foreach (object? row in (IEnumerable)data)
            {
                yield return row switch
                {
                    object?[] array => array,
                    _ => throw new InvalidOperationException($"MemberData {member.MemberName} yields {row?.GetType().Name}."),
                };
            }
        }
    }

    private static void Invoke(Type type, MethodInfo method, object?[] arguments)
    {
        ConstructorInfo constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        object?[] constructorArguments = constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(ITestOutputHelper) ? new ConsoleOutput() : (object?)null)
            .ToArray();
        object instance = constructor.Invoke(constructorArguments);
        try
        {
            if (method.IsGenericMethodDefinition)
            {
                throw new NotSupportedException("generic test methods are not supported by the standalone runner");
            }

            object? result = method.Invoke(instance, arguments);
            if (result is Task task)
            {
                task.GetAwaiter().GetResult();
            }
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    private sealed class ConsoleOutput : ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
