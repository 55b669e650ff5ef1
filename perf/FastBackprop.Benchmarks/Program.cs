using FastBackprop.Benchmarks.Gate;
using FastBackprop.Benchmarks.Infrastructure;

return args is ["gate", .. var gateArgs] ? GateCommand.Run(gateArgs) : BenchmarkCommand.Run(args);
