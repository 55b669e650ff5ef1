using System.CommandLine;

using FastBackprop.Train;

// `train`: trains a multilayer perceptron with FastBackprop and reports loss, accuracy, diagnostics and timing.
// Exit codes: 0 success, 2 bad option or bad input file (one line on stderr, never a stack trace).
var options = new TrainOptions();
var root = new RootCommand(
    "Trains a multilayer perceptron with FastBackprop. Without options it learns the embedded UCI handwritten digits " +
    "(1797 8×8 images) on a fixed 80/20 train/test split and prints the test accuracy.");
options.AddTo(root);
root.SetAction(parse =>
{
    try
    {
        return TrainingRun.Execute(options.Read(parse));
    }
    catch (Exception exception) when (exception is UsageException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
    {
        Console.Error.WriteLine($"train: {exception.Message}");
        return 2;
    }
});

ParseResult result = root.Parse(args);
if (result.Errors.Count > 0)
{
    Console.Error.WriteLine($"train: {result.Errors[0].Message} (see train --help)");
    return 2;
}

return result.Invoke();
