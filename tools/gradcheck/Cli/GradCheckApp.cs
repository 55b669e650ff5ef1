using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

using FastBackprop.GradCheck.Checks;
using FastBackprop.GradCheck.Engine;
using FastBackprop.Training;

namespace FastBackprop.GradCheck.Cli;

/// <summary>
/// The <c>gradcheck</c> command: parses and validates the command line, runs the checks on every requested SIMD
/// path (this process's own path in process, each other path in a child process of this tool with
/// <c>FASTBACKPROP_SIMD</c> set), and reports. Exit code 0: all passed; 1: any failed; 2: bad usage.
/// </summary>
public static class GradCheckApp
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    private static readonly Option<string[]> KernelOption = new("--kernel", "-k")
    {
        Description = "Check only these kernels: a name (gemm-nt), a name's prefix (gemm) or a group (activations). Repeatable or comma-separated.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string[]> PathOption = new("--path", "-p")
    {
        Description = $"SIMD paths to check: {string.Join(", ", SimdInfo.PathNames)}, active or all (default: every path this CPU supports).",
    };

    private static readonly Option<string> DtypeOption = new("--dtype")
    {
        Description = "float, double or all.",
        DefaultValueFactory = _ => "all",
    };

    private static readonly Option<int> SizeOption = new("--size")
    {
        Description = "Length of the elementwise checks.",
        DefaultValueFactory = _ => new CaseShapes().Size,
    };

    private static readonly Option<string> ShapeOption = new("--shape")
    {
        Description = "M,N,K: GEMM's C is M×N with inner dimension K; the dense layer maps K inputs to N outputs for a batch of M; softmax and losses take M rows of N.",
        DefaultValueFactory = _ => string.Create(CultureInfo.InvariantCulture, $"{new CaseShapes().M},{new CaseShapes().N},{new CaseShapes().K}"),
    };

    private static readonly Option<int> SeedOption = new("--seed")
    {
        Description = "Seed of the inputs, upstream gradients and directions.",
        DefaultValueFactory = _ => 1,
    };

    private static readonly Option<double> EpsOption = new("--eps")
    {
        Description = "Finite-difference step ε (PyTorch gradcheck's default).",
        DefaultValueFactory = _ => Tolerances.Epsilon,
    };

    private static readonly Option<double> AtolOption = new("--atol")
    {
        Description = "Absolute tolerance of the double check (PyTorch gradcheck's default).",
        DefaultValueFactory = _ => Tolerances.Double.Atol,
    };

    private static readonly Option<double> RtolOption = new("--rtol")
    {
        Description = "Relative tolerance of the double check (PyTorch gradcheck's default).",
        DefaultValueFactory = _ => Tolerances.Double.Rtol,
    };

    private static readonly Option<double?> FloatAtolOption = new("--float-atol")
    {
        Description = "Absolute tolerance of every float check (default: each kernel's documented one).",
    };

    private static readonly Option<double?> FloatRtolOption = new("--float-rtol")
    {
        Description = "Relative tolerance of every float check (default: each kernel's documented one).",
    };

    private static readonly Option<bool> FastOption = new("--fast")
    {
        Description = "Compare vᵀ(J·u) from one directional difference with (vᵀJ)·u from one backward, instead of the full Jacobian.",
    };

    private static readonly Option<string> NetworkOption = new("--network")
    {
        Description = "Check one MLP of these layer widths, inputs first (e.g. 2,500,2), through the trainer; with --activation and --loss.",
    };

    private static readonly Option<string> ActivationOption = new("--activation")
    {
        Description = $"Hidden activation of --network: {ActivationNames}.",
        DefaultValueFactory = _ => ActivationInfo.Of(ActivationKind.Tanh).Name,
    };

    private static readonly Option<string> LossOption = new("--loss")
    {
        Description = $"Loss head of --network: {LossNames}.",
        DefaultValueFactory = _ => LossInfo.Of(LossKind.SoftmaxCrossEntropy).Name,
    };

    private static readonly Option<string> CheckpointOption = new("--checkpoint")
    {
        Description = "Check the gradients of a network saved with Checkpoint.Save, on a random batch of M rows (--shape).",
    };

    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print the results as JSON instead of a table.",
    };

    private static readonly Option<bool> ChildOption = new("--child")
    {
        Description = "Internal: check this process's active path only and print JSON.",
        Hidden = true,
    };

    /// <summary>The names <c>--activation</c> takes: the library's registry, the same vocabulary as <c>train</c>'s.</summary>
    private static string ActivationNames => string.Join(", ", ActivationInfo.All.Select(a => a.Name));

    /// <summary>The names <c>--loss</c> takes: the library's registry, the same vocabulary as <c>train</c>'s.</summary>
    private static string LossNames => string.Join(", ", LossInfo.All.Select(l => l.Name));

    /// <summary>Runs the command with the default registry on the console.</summary>
    public static int Main(string[] args) => Run(args, CheckRegistry.Default, Console.Out, Console.Error);

    /// <summary>Runs the command with <paramref name="registry"/>, writing the report to <paramref name="output"/>.</summary>
    public static int Run(string[] args, CheckRegistry registry, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Checks FastBackprop's backward passes against central finite differences, in float and double, on every SIMD path of this CPU.")
        {
            KernelOption, PathOption, DtypeOption, SizeOption, ShapeOption, SeedOption, EpsOption, AtolOption, RtolOption,
            FloatAtolOption, FloatRtolOption, FastOption, NetworkOption, ActivationOption, LossOption, CheckpointOption, JsonOption, ChildOption,
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"gradcheck: {parsed.Errors[0].Message}");
            return BadUsage;
        }

        if (parsed.Action is not null)
        {
            // --help (and other built-in actions) print and exit 0.
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }

        RunRequest request;
        try
        {
            request = Validate(parsed, registry);
        }
        catch (UsageException exception)
        {
            error.WriteLine($"gradcheck: {exception.Message}");
            return BadUsage;
        }

        var clock = Stopwatch.StartNew();
        IReadOnlyList<CheckResult> results = request.Child
            ? RunHere(registry, request)
            : PathRunner.RunAll(request, () => RunHere(registry, request));
        var report = new Report(results, request.Paths, clock.Elapsed);
        if (request.Json || request.Child)
        {
            report.WriteJson(output);
        }
        else
        {
            report.WriteTable(output);
        }

        return report.Failed == 0 ? Passed : Failed;
    }

    /// <summary>Every selected case on this process's active path.</summary>
    public static IReadOnlyList<CheckResult> RunHere(CheckRegistry registry, RunRequest request)
    {
        var results = new List<CheckResult>();

        // --network and --checkpoint alone check just those; with --kernel, those kernels too.
        IEnumerable<CheckDefinition> selected = request.Networks.Count > 0 && request.Kernels.Count == 0 ? [] : registry.Select(request.Kernels);
        foreach (CheckDefinition definition in selected.Concat(request.Networks.Select(n => n.Definition)))
        {
            results.AddRange(GradChecker.Run(definition.Create(request.Shapes), request.Settings));
        }

        return results;
    }

    private static RunRequest Validate(ParseResult parsed, CheckRegistry registry)
    {
        string[] kernels = [.. (parsed.GetValue(KernelOption) ?? []).SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        foreach (string kernel in kernels)
        {
            if (!registry.Knows(kernel))
            {
                throw new UsageException($"unknown kernel '{kernel}'; known: {string.Join(", ", registry.Definitions.Select(d => d.Kernel))}.");
            }
        }

        string dtype = parsed.GetValue(DtypeOption)!.ToLowerInvariant();
        if (dtype is not ("float" or "double" or "all"))
        {
            throw new UsageException($"--dtype '{dtype}' is not one of float, double, all.");
        }

        int size = parsed.GetValue(SizeOption);
        if (size is < 1 or > 1_000_000)
        {
            throw new UsageException($"--size {size} is outside 1..1000000.");
        }

        (int m, int n, int k) = ParseShape(parsed.GetValue(ShapeOption)!);
        double eps = parsed.GetValue(EpsOption);
        if (!(eps > 0 && eps < 1))
        {
            throw new UsageException($"--eps {eps.ToString(CultureInfo.InvariantCulture)} must lie in (0, 1).");
        }

        double atol = NonNegative(parsed.GetValue(AtolOption), "--atol");
        double rtol = NonNegative(parsed.GetValue(RtolOption), "--rtol");
        double? floatAtol = parsed.GetValue(FloatAtolOption) is { } fa ? NonNegative(fa, "--float-atol") : null;
        double? floatRtol = parsed.GetValue(FloatRtolOption) is { } fr ? NonNegative(fr, "--float-rtol") : null;
        bool child = parsed.GetValue(ChildOption);
        int seed = parsed.GetValue(SeedOption);
        return new RunRequest
        {
            Networks = Networks(parsed),
            Kernels = kernels,
            Paths = child ? [SimdInfo.ActivePathName] : ParsePaths(parsed.GetValue(PathOption) ?? []),
            Settings = new CheckSettings
            {
                Seed = seed,
                Epsilon = eps,
                DoubleTolerance = new Tolerance(atol, rtol),
                FloatAtol = floatAtol,
                FloatRtol = floatRtol,
                Fast = parsed.GetValue(FastOption),
                CheckDouble = dtype != "float",
                CheckFloat = dtype != "double",
            },
            Shapes = new CaseShapes(size, m, n, k, seed),
            Json = parsed.GetValue(JsonOption),
            Child = child,
        };
    }

    /// <summary>The networks <c>--network</c> and <c>--checkpoint</c> ask for, with the arguments that ask for them again in a child.</summary>
    private static List<NetworkRequest> Networks(ParseResult parsed)
    {
        var networks = new List<NetworkRequest>();
        string activationName = parsed.GetValue(ActivationOption)!.ToLowerInvariant();
        string lossName = parsed.GetValue(LossOption)!.ToLowerInvariant();
        if (parsed.GetValue(NetworkOption) is { } widthsText)
        {
            if (!ActivationInfo.TryParse(activationName, out ActivationInfo? activation))
            {
                throw new UsageException($"--activation '{activationName}' is not one of {ActivationNames}.");
            }

            if (!LossInfo.TryParse(lossName, out LossInfo? loss))
            {
                throw new UsageException($"--loss '{lossName}' is not one of {LossNames}.");
            }

            string[] parts = widthsText.Split(',', StringSplitOptions.TrimEntries);
            int[] widths = new int[parts.Length];
            if (parts.Length < 2 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) && widths[i] is >= 1 and <= 100_000).All(ok => ok))
            {
                throw new UsageException($"--network '{widthsText}' is not a list of at least two layer widths in 1..100000, e.g. 2,500,2.");
            }

            string spec = $"{widthsText} {activationName} {lossName}";
            networks.Add(new NetworkRequest(
                NetworkChecks.Network("network", NetworkChecks.Architecture(widths, activation.Default, loss.Kind), $"--network {spec}"),
                ["--network", widthsText, "--activation", activationName, "--loss", lossName]));
        }
        else if (parsed.GetResult(ActivationOption) is { Implicit: false } || parsed.GetResult(LossOption) is { Implicit: false })
        {
            throw new UsageException("--activation and --loss describe --network; give --network too.");
        }

        if (parsed.GetValue(CheckpointOption) is { } path)
        {
            (MlpArchitecture architecture, double[] parameters) = LoadCheckpoint(path);
            networks.Add(new NetworkRequest(
                NetworkChecks.Network("checkpoint", architecture, $"{Path.GetFileName(path)}: {architecture}", parameters),
                ["--checkpoint", path]));
        }

        return networks;
    }

    /// <summary>A checkpoint's architecture and parameters, whichever element type it was saved in.</summary>
    private static (MlpArchitecture Architecture, double[] Parameters) LoadCheckpoint(string path)
    {
        try
        {
            using Mlp<double> network = Checkpoint.Load<double>(path, 1);
            return (network.Architecture, network.Parameters.ToArray());
        }
        catch (InvalidDataException)
        {
            try
            {
                using Mlp<float> network = Checkpoint.Load<float>(path, 1);
                return (network.Architecture, [.. network.Parameters.ToArray().Select(v => (double)v)]);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--checkpoint {path}: {exception.Message}");
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--checkpoint {path}: {exception.Message}");
        }
    }

    private static double NonNegative(double value, string option) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"{option} {value.ToString(CultureInfo.InvariantCulture)} must be a finite number ≥ 0.");

    private static (int M, int N, int K) ParseShape(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is >= 1 and <= 4096))
        {
            throw new UsageException($"--shape '{text}' is not M,N,K with each in 1..4096.");
        }

        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Requested path-table rows, each one this CPU runs as named, narrowest first; none or <c>all</c>: every such row
    /// (<see cref="SimdInfo.SupportedPathNames"/>: the <c>-nofma</c> rows too where the hardware fuses multiply-add).
    /// </summary>
    private static string[] ParsePaths(string[] values)
    {
        string[] names = [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(v => v.ToLowerInvariant())];
        IReadOnlyList<string> supported = SimdInfo.SupportedPathNames;
        if (names.Length == 0 || names.Contains("all"))
        {
            return [.. supported];
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name == "active")
            {
                paths.Add(SimdInfo.ActivePathName);
                continue;
            }

            if (!SimdInfo.PathNames.Contains(name))
            {
                throw new UsageException($"--path '{name}' is not one of {string.Join(", ", SimdInfo.PathNames)}, active, all.");
            }

            if (!supported.Contains(name))
            {
                throw new UsageException($"--path {name} is not supported by this CPU (supported: {string.Join(", ", supported)}).");
            }

            paths.Add(name);
        }

        return [.. SimdInfo.PathNames.Where(paths.Contains)];
    }
}
