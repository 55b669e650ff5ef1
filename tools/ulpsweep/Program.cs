using System.Diagnostics;

using FastBackprop;
using FastBackprop.Tests.Support;

// Sweeps all 2³² float inputs of each unary activation (forward, or with --derivative the backward from the input
// with dy = 1) against the double references of the test suite, and prints the largest error in float ULP and
// where it occurs. Opt-in, not part of CI: a forward op takes about a minute per core-pair. --every N visits every
// N-th bit pattern only (N a power of two), a quick look while working on a kernel; the README's figures are full sweeps.
//   dotnet run -c Release --project tools/ulpsweep -- [--derivative] [--every N] [op ...]
bool derivative = args.Contains("--derivative");
int everyAt = Array.IndexOf(args, "--every");
int every = everyAt >= 0 && everyAt + 1 < args.Length && int.TryParse(args[everyAt + 1], out int parsed) ? parsed : 1;
if (every < 1 || !int.IsPow2(every) || every > 1 << 16 || (everyAt >= 0 && everyAt + 1 >= args.Length))
{
    Console.Error.WriteLine("--every takes a power of two from 1 to 65536.");
    return 2;
}

string[] requested = [.. args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && !(everyAt >= 0 && i == everyAt + 1))];
Op[] ops = [.. Op.All.Where(o => requested.Length == 0 || requested.Contains(o.Name, StringComparer.OrdinalIgnoreCase))];
if (ops.Length == 0)
{
    Console.Error.WriteLine($"Unknown op. Known: {string.Join(", ", Op.All.Select(o => o.Name))}");
    return 2;
}

Console.WriteLine($"SIMD path {SimdInfo.ActivePath}, {Environment.ProcessorCount} cores, {(derivative ? "derivatives (where the reference is a normal float)" : "forward")}{(every > 1 ? $", every {every}th float" : "")}");
Console.WriteLine(derivative
    ? "| op | max ULP | at x | max ULP where \\|f′\\| ≥ 1/16 of its terms | max error in ULP of the terms | seconds |"
    : "| op | max ULP | at x | max ULP for \\|x\\| in [1e-3, 1e3] | seconds |");
Console.WriteLine(derivative ? "|---|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|");
foreach (Op op in ops)
{
    var clock = Stopwatch.StartNew();
    Result total = Sweep(op, derivative, every);
    string scaled = derivative ? $" {total.WorstScaled:F3} |" : string.Empty;
    Console.WriteLine($"| {op.Name} | {total.Worst:F3} | {total.At:R} | {total.WorstRestricted:F3} |{scaled} {clock.Elapsed.TotalSeconds:F0} |");
}

return 0;

static Result Sweep(Op op, bool derivative, int every)
{
    const int ChunkBits = 16;
    var gate = new object();
    Result total = default;
    Parallel.For(
        0,
        (1 << (32 - ChunkBits)) / every,
        () => (Input: new float[1 << ChunkBits], Output: new float[1 << ChunkBits], Ones: Enumerable.Repeat(1f, 1 << ChunkBits).ToArray(), Best: default(Result)),
        (chunk, _, local) =>
        {
            uint start = (uint)chunk << ChunkBits;
            for (int i = 0; i < local.Input.Length; i++)
            {
                local.Input[i] = BitConverter.UInt32BitsToSingle((start + (uint)i) * (uint)every);
            }

            if (derivative)
            {
                op.Backward(local.Input, local.Ones, local.Output);
            }
            else
            {
                op.Forward(local.Input, local.Output);
            }

            Result best = local.Best;
            for (int i = 0; i < local.Input.Length; i++)
            {
                float x = local.Input[i];
                double expected = derivative ? op.Derivative(x) : op.Function(x);
                if (derivative && !(Math.Abs(expected) >= 1.17549435e-38) && !double.IsNaN(expected))
                {
                    continue;
                }

                double error = Ulp.Error(local.Output[i], expected);
                if (error > best.Worst || double.IsNaN(error))
                {
                    best = best with { Worst = error, At = x };
                }

                if (!derivative)
                {
                    bool central = Math.Abs(x) is >= 1e-3f and <= 1e3f;
                    best = central && error > best.WorstRestricted ? best with { WorstRestricted = error } : best;
                    continue;
                }

                // Where f′ is the small difference of larger terms, its error is measured against the terms' size.
                double scale = op.DerivativeScale(x);
                best = Math.Abs(expected) >= scale / 16 && error > best.WorstRestricted ? best with { WorstRestricted = error } : best;
                double scaledError = double.IsFinite(scale) ? Math.Abs(local.Output[i] - expected) / Ulp.Spacing((float)scale) : error;
                best = scaledError > best.WorstScaled ? best with { WorstScaled = scaledError } : best;
            }

            return (local.Input, local.Output, local.Ones, best);
        },
        local =>
        {
            lock (gate)
            {
                total = new Result(
                    local.Best.Worst > total.Worst ? local.Best.Worst : total.Worst,
                    local.Best.Worst > total.Worst ? local.Best.At : total.At,
                    Math.Max(total.WorstRestricted, local.Best.WorstRestricted),
                    Math.Max(total.WorstScaled, local.Best.WorstScaled));
            }
        });
    return total;
}

/// <summary>
/// The largest error and its input; the largest over |x| in [1e−3, 1e3] (forward) or where f′ is at least 1/16 of
/// its terms (derivative); and, for derivatives, the largest error in ULP of the terms' size.
/// </summary>
internal readonly record struct Result(double Worst, float At, double WorstRestricted, double WorstScaled);

internal delegate void Forward(ReadOnlySpan<float> x, Span<float> y);

internal delegate void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx);

/// <summary>
/// A unary activation with its double reference, derivative, and the size of the terms its derivative sums (|f′| where
/// f′ is a single term).
/// </summary>
internal sealed record Op(string Name, Forward Forward, Backward Backward, Func<double, double> Function, Func<double, double> Derivative, Func<double, double> DerivativeScale)
{
    private const double Alpha = 1.5;

    public static Op[] All { get; } =
    [
        new("Sigmoid", Activations.Sigmoid, Activations.SigmoidBackward, Reference.Sigmoid, Reference.SigmoidDerivative, x => Math.Abs(Reference.SigmoidDerivative(x))),
        new("Tanh", Activations.Tanh, Activations.TanhBackward, Reference.Tanh, Reference.TanhDerivative, x => Math.Abs(Reference.TanhDerivative(x))),
        new("Softplus", Activations.Softplus, Activations.SoftplusBackward, Reference.Softplus, Reference.Sigmoid, Reference.Sigmoid),
        new("LogSigmoid", Activations.LogSigmoid, Activations.LogSigmoidBackward, Reference.LogSigmoid, x => Reference.Sigmoid(-x), x => Reference.Sigmoid(-x)),
        new("Silu", Activations.Silu, Activations.SiluBackward, Reference.Silu, Reference.SiluDerivative, Reference.SiluDerivativeScale),
        new("GeluTanh", Activations.GeluTanh, Activations.GeluTanhBackward, Reference.GeluTanh, Reference.GeluTanhDerivative, Reference.GeluTanhDerivativeScale),
        new("GeluErf", Activations.GeluErf, Activations.GeluErfBackward, Reference.GeluErf, Reference.GeluErfDerivative, Reference.GeluErfDerivativeScale),
        new("Elu", (x, y) => Activations.Elu(x, (float)Alpha, y), (x, dy, dx) => Activations.EluBackward(x, dy, (float)Alpha, dx), x => Reference.Elu(x, Alpha), x => Reference.EluDerivative(x, Alpha), x => Math.Abs(Reference.EluDerivative(x, Alpha))),
    ];
}
