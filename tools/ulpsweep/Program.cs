using System.Diagnostics;

using FastBackprop;
using FastBackprop.Tests.Kernels;
using FastBackprop.Tests.Support;

// Sweeps all 2³² float inputs of each activation of the test suite's table (ActivationCases: one row per registry
// entry; forward, or with --derivative the backward from the input with dy = 1) against its double reference, and
// prints the largest error in float ULP and where it occurs. Opt-in, not part of CI: a forward op takes about a minute per core-pair. --every N visits every
// N-th bit pattern only (N a power of two), a quick look while working on a kernel; the README's figures are full sweeps.
//   dotnet run -c Release --project tools/ulpsweep -- [--derivative] [--every N] [op ...]   (op: a registry name, e.g. log-sigmoid)
bool derivative = args.Contains("--derivative");
int everyAt = Array.IndexOf(args, "--every");
int every = everyAt >= 0 && everyAt + 1 < args.Length && int.TryParse(args[everyAt + 1], out int parsed) ? parsed : 1;
if (every < 1 || !int.IsPow2(every) || every > 1 << 16 || (everyAt >= 0 && everyAt + 1 >= args.Length))
{
    Console.Error.WriteLine("--every takes a power of two from 1 to 65536.");
    return 2;
}

string[] requested = [.. args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && !(everyAt >= 0 && i == everyAt + 1))];
ActivationCase[] ops = [.. ActivationCases.All.Where(o => requested.Length == 0 || requested.Contains(Name(o), StringComparer.OrdinalIgnoreCase))];
if (ops.Length == 0)
{
    Console.Error.WriteLine($"Unknown op. Known: {string.Join(", ", ActivationCases.All.Select(Name))}");
    return 2;
}

Console.WriteLine($"SIMD path {SimdInfo.ActivePath}, {Environment.ProcessorCount} cores, {(derivative ? "derivatives (where the reference is a normal float)" : "forward")}{(every > 1 ? $", every {every}th float" : "")}");
Console.WriteLine(derivative
    ? "| op | max ULP | at x | max ULP where \\|f′\\| ≥ 1/16 of its terms | max error in ULP of the terms | seconds |"
    : "| op | max ULP | at x | max ULP for \\|x\\| in [1e-3, 1e3] | seconds |");
Console.WriteLine(derivative ? "|---|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|");
foreach (ActivationCase op in ops)
{
    var clock = Stopwatch.StartNew();
    Result total = Sweep(op, derivative, every);
    string scaled = derivative ? $" {total.WorstScaled:F3} |" : string.Empty;
    Console.WriteLine($"| {Name(op)} | {total.Worst:F3} | {total.At:R} | {total.WorstRestricted:F3} |{scaled} {clock.Elapsed.TotalSeconds:F0} |");
}

return 0;

// The registry's name, as train and gradcheck spell it: log-sigmoid, gelu-tanh.
static string Name(ActivationCase op) => ActivationInfo.Of(op.Activation.Kind).Name;

static Result Sweep(ActivationCase op, bool derivative, int every)
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
                op.BackwardFloat(local.Input, local.Ones, local.Output);
            }
            else
            {
                op.ForwardFloat(local.Input, local.Output);
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
