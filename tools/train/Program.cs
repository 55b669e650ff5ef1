using System.CommandLine;
using System.Runtime.InteropServices;

using FastBackprop.Train;

// `train`: trains a multilayer perceptron with FastBackprop and reports loss, accuracy, diagnostics and timing;
// `train predict` runs a saved model over a CSV file.
// Exit codes: 0 success, 2 bad option or bad input file (one line on stderr, never a stack trace), 130 interrupted
// (Ctrl+C or SIGTERM: training stops after the current batch, and --save is still written).
using var interrupt = new CancellationTokenSource();
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopAfterThisBatch);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopAfterThisBatch);

var options = new TrainOptions();
var root = new RootCommand(
    "Trains a multilayer perceptron with FastBackprop. Without options it learns the embedded UCI handwritten digits " +
    "(1797 8×8 images) on a fixed 80/20 train/test split and prints the test accuracy.");
options.AddTo(root);
root.SetAction(parse => Guarded(() => TrainingRun.Execute(options.Read(parse, args), interrupt.Token)));
root.Add(new PredictCommand().Create(Guarded));

ParseResult result = root.Parse(args);
if (result.Errors.Count > 0)
{
    Console.Error.WriteLine($"train: {result.Errors[0].Message} (see train --help)");
    return 2;
}

// The tool handles its own signals (above); System.CommandLine's handler would end the process before --save.
return result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });

// The first signal asks training to stop at the next batch; a second one ends the process as the signal would.
void StopAfterThisBatch(PosixSignalContext context)
{
    context.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
}

// Bad usage and bad files: one line on stderr and exit code 2.
static int Guarded(Func<int> run)
{
    try
    {
        return run();
    }
    catch (Exception exception) when (exception is UsageException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
    {
        Console.Error.WriteLine($"train: {exception.Message}");
        return 2;
    }
}
