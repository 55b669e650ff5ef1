namespace FastBackprop.GradCheck.Engine;

/// <summary>
/// A kernel pair under check: a forward <c>y = f(x₀, x₁, …)</c> and its backward, the vector-Jacobian product
/// <c>gᵢ = (∂f/∂xᵢ)ᵀ · G</c> for every differentiable input <c>xᵢ</c> and upstream gradient <c>G</c> (same shape as y).
/// </summary>
/// <remarks>
/// Checks never look inside an op: a test substitutes a deliberately wrong backward by registering another
/// <see cref="GradOp"/> under the same kernel name (<see cref="Checks.CheckRegistry.Replace"/>).
/// </remarks>
public abstract class GradOp
{
    /// <summary>Writes every element of <paramref name="output"/> from <paramref name="inputs"/> (in the case's order).</summary>
    public abstract void Forward<T>(IReadOnlyList<T[]> inputs, T[] output)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// Overwrites every element of each non-null <paramref name="gradients"/>[i] with <c>(∂f/∂inputᵢ)ᵀ · upstream</c>;
    /// a null entry is an input that is not differentiated (labels, targets). <paramref name="output"/> is the
    /// forward's result on the same inputs, for backward passes written in terms of the output.
    /// </summary>
    public abstract void Backward<T>(IReadOnlyList<T[]> inputs, T[] output, T[] upstream, IReadOnlyList<T[]?> gradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}
