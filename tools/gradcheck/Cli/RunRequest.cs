using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Cli;

/// <summary>A network to check (<c>--network</c>, <c>--checkpoint</c>) and the arguments that ask a child process for it.</summary>
public sealed record NetworkRequest(CheckDefinition Definition, IReadOnlyList<string> Arguments);

/// <summary>A validated command line: what to check, where, and how to report it.</summary>
public sealed record RunRequest
{
    public required IReadOnlyList<string> Kernels { get; init; }

    /// <summary>Path-table rows by name (<see cref="SimdInfo.PathNames"/>), narrowest first.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public IReadOnlyList<NetworkRequest> Networks { get; init; } = [];

    public required CheckSettings Settings { get; init; }

    public required CaseShapes Shapes { get; init; }

    public bool Json { get; init; }

    /// <summary>Run in this process only, on its active path, and print JSON: how the parent runs each other path.</summary>
    public bool Child { get; init; }

    /// <summary>The arguments that make a child process check the same things.</summary>
    public IEnumerable<string> ChildArguments()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        yield return "--child";
        foreach (string kernel in Kernels)
        {
            yield return "--kernel";
            yield return kernel;
        }

        yield return "--dtype";
        yield return Settings.CheckDouble && Settings.CheckFloat ? "all" : Settings.CheckDouble ? "double" : "float";
        yield return "--seed";
        yield return Settings.Seed.ToString(inv);
        yield return "--eps";
        yield return Settings.Epsilon.ToString("R", inv);
        yield return "--atol";
        yield return Settings.DoubleTolerance.Atol.ToString("R", inv);
        yield return "--rtol";
        yield return Settings.DoubleTolerance.Rtol.ToString("R", inv);
        if (Settings.FloatAtol is { } floatAtol)
        {
            yield return "--float-atol";
            yield return floatAtol.ToString("R", inv);
        }

        if (Settings.FloatRtol is { } floatRtol)
        {
            yield return "--float-rtol";
            yield return floatRtol.ToString("R", inv);
        }

        yield return "--size";
        yield return Shapes.Size.ToString(inv);
        yield return "--shape";
        yield return string.Create(inv, $"{Shapes.M},{Shapes.N},{Shapes.K}");
        if (Settings.Fast)
        {
            yield return "--fast";
        }

        foreach (string argument in Networks.SelectMany(n => n.Arguments))
        {
            yield return argument;
        }
    }
}
