using System.Diagnostics;

using FastBackprop;
using FastBackprop.Tests.Support;

// Sweeps all 2³² float inputs of each unary activation (forward, or with --derivative the backward from the input
// with dy = 1) against the double references of the test suite, and prints the largest error in float ULP and
// where it occurs. Opt-in, not part of CI: a forward op takes about a minute per core-pair.
//   dotnet run -c Release --project tools/ulpsweep -- [--derivative] [op ...]
bool derivative = args.Contains("--derivative");
string[] requested = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
Op[] ops = [.. Op.All.Where(o => requested.Length == 0 || requested.Contains(o.Name, StringComparer.OrdinalIgnoreCase))];
if (ops.Length == 0)
{
    Console.Error.WriteLine($"Unknown op. Known: {string.Join(", ", Op.All.Select(o => o.Name))}");
    return 1;
}

Console.WriteLine($"SIMD path {SimdInfo.ActivePath}, {Environment.ProcessorCount} cores, {(derivative ? "derivatives (where the reference is a normal float)" : "forward")}");
Console.WriteLine($"| op | max ULP | at x | max ULP for \\|x\\| in [1e-3, 1e3] | seconds |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (Op op in ops)
{
    var clock = Stopwatch.StartNew();
    Result total = Sweep(op, derivative);
    Console.WriteLine($"| {op.Name} | {total.Worst:F3} | {total.At:R} | {total.WorstCentral:F3} | {clock.Elapsed.TotalSeconds:F0} |");
}

return 0;

static Result Sweep(Op op, bool derivative)
{
    const int ChunkBits = 16;
    var gate = new object();
    var total = new Result(0, 0, 0);
    Parallel.For(
        0,
        1 << (32 - ChunkBits),
        () => (Input: new float[1 << ChunkBits], Output: new float[1 << ChunkBits], Ones: Enumerable.Repeat(1f, 1 << ChunkBits).ToArray(), Best: new Result(0, 0, 0)),
        (chunk, _, local) =>
        {
            uint start = (uint)chunk << ChunkBits;
            for (int i = 0; i < local.Input.Length; i++)
            {
                local.Input[i] = BitConverter.UInt32BitsToSingle(start + (uint)i);
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
                bool central = Math.Abs(x) is >= 1e-3f and <= 1e3f;
                best = new Result(
                    error > best.Worst || double.IsNaN(error) ? error : best.Worst,
                    error > best.Worst || double.IsNaN(error) ? x : best.At,
                    central && error > best.WorstCentral ? error : best.WorstCentral);
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
                    Math.Max(total.WorstCentral, local.Best.WorstCentral));
            }
        });
    return total;
}

internal readonly record struct Result(double Worst, float At, double WorstCentral);

internal delegate void Forward(ReadOnlySpan<float> x, Span<float> y);

internal delegate void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx);

/// <summary>A unary activation with its double reference and derivative.</summary>
internal sealed record Op(string Name, Forward Forward, Backward Backward, Func<double, double> Function, Func<double, double> Derivative)
{
    private const double Alpha = 1.5;

    public static Op[] All { get; } =
    [
        new("Sigmoid", Activations.Sigmoid, Activations.SigmoidBackward, Reference.Sigmoid, Reference.SigmoidDerivative),
        new("Tanh", Activations.Tanh, Activations.TanhBackward, Reference.Tanh, Reference.TanhDerivative),
        new("Softplus", Activations.Softplus, Activations.SoftplusBackward, Reference.Softplus, Reference.Sigmoid),
        new("LogSigmoid", Activations.LogSigmoid, Activations.LogSigmoidBackward, Reference.LogSigmoid, x => Reference.Sigmoid(-x)),
        new("Silu", Activations.Silu, Activations.SiluBackward, Reference.Silu, Reference.SiluDerivative),
        new("GeluTanh", Activations.GeluTanh, Activations.GeluTanhBackward, Reference.GeluTanh, Reference.GeluTanhDerivative),
        new("GeluErf", Activations.GeluErf, Activations.GeluErfBackward, Reference.GeluErf, Reference.GeluErfDerivative),
        new("Elu", (x, y) => Activations.Elu(x, (float)Alpha, y), (x, dy, dx) => Activations.EluBackward(x, dy, (float)Alpha, dx), x => Reference.Elu(x, Alpha), x => Reference.EluDerivative(x, Alpha)),
    ];
}
