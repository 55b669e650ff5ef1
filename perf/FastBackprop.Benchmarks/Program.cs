using FastBackprop.Benchmarks;
using FastBackprop.Benchmarks.Gate;
using FastBackprop.Benchmarks.Infrastructure;

return args switch
{
    ["gate", .. var gateArgs] => GateCommand.Run(gateArgs),
    ["fma-peak"] => PrintFmaPeak(),
    _ => BenchmarkCommand.Run(args),
};

// The figure every "fraction of peak" column divides by, for checking against an independent measurement.
static int PrintFmaPeak()
{
    Console.WriteLine(FormattableString.Invariant($"float FMA peak, one core: 512-bit {FmaPeak.Float512Gflops:F1} GFLOP/s, 256-bit {FmaPeak.Float256Gflops:F1} GFLOP/s"));
    return 0;
}
