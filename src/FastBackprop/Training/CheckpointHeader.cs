namespace FastBackprop.Training;

/// <summary>
/// Everything a checkpoint holds before its parameter vector, checked: what <see cref="Checkpoint"/> reads first, so
/// that a training <see cref="Mlp{T}"/> and an <see cref="InferenceModel{T}"/> can each be built from it and then
/// take the parameters straight into their own arrays.
/// </summary>
/// <param name="Version">The file's format version, 1 or 2.</param>
/// <param name="Architecture">Layers and loss head.</param>
/// <param name="Optimizer">The optimizer's settings, written whether or not its state is.</param>
/// <param name="Seed">The seed the network was initialized from.</param>
/// <param name="Info">Scaling, class names and metadata; empty for a version-1 file.</param>
/// <param name="HasTrainingState">Whether step, epoch and the optimizer's state vectors follow (always in version 1).</param>
/// <param name="Step">Optimizer updates so far; 0 when the file has no training state.</param>
/// <param name="Epoch">Completed epochs; 0 when the file has no training state.</param>
/// <param name="ParameterCount">P, the length of the parameter vector and of each state vector that follows it.</param>
internal sealed record CheckpointHeader(
    int Version,
    MlpArchitecture Architecture,
    OptimizerSettings Optimizer,
    ulong Seed,
    ModelInfo Info,
    bool HasTrainingState,
    long Step,
    int Epoch,
    int ParameterCount)
{
    /// <summary>State vectors stored after the parameters: the optimizer's, or none without training state.</summary>
    public int StoredStateVectors => HasTrainingState ? Optimizer.StateVectors : 0;
}
