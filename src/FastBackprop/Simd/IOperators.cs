namespace FastBackprop.Simd;

/// <summary>
/// One element-wise function of one input, at every width. Operators are <c>readonly struct</c>s so that the JIT
/// specialises each driver per operator; they hold their parameters (LeakyReLU's α) as fields, and never loop.
/// </summary>
internal interface IUnaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec x)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>One element-wise function of two inputs (a backward's <c>(x, dy) → dx</c>), at every width.</summary>
internal interface IBinaryOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec x, TVec y)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>
/// An activation and its derivative from one evaluation, at every width: returns <c>f(x)</c> and reports <c>f′(x)</c>,
/// each with the bits of the activation's own forward and backward operators (dy = 1).
/// </summary>
internal interface ISlopeOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec x, out TVec slope)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>
/// A loss's element-wise step, at every width: returns the gradient from a prediction and a target, and reports the
/// element's loss term for the driver to sum.
/// </summary>
internal interface ILossOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec prediction, TVec target, out TVec loss)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>
/// A parameter update with one state vector (momentum's velocity), at every width: from the gradient and the
/// parameter, returns the new parameter and rewrites the element's state in place.
/// </summary>
internal interface IUpdateOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec gradient, TVec parameter, ref TVec state)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>A parameter update with two state vectors (Adam's moments), at every width; see <see cref="IUpdateOperator{T}"/>.</summary>
internal interface ITwoStateUpdateOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    TVec Invoke<TOps, TVec>(TVec gradient, TVec parameter, ref TVec firstState, ref TVec secondState)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;
}

/// <summary>
/// A row-wise kernel on a row's softmax statistics, at every width: given the row maximum m, <c>e = exp(x − m)</c> and
/// <c>Σ = Σₖ eₖ</c>, what the kernel stores (softmax, log-softmax, the cross-entropy gradient) and the row's loss. The
/// row-at-a-time loop (<see cref="RowwiseDriver.RunSoftmax"/>) and the four-row groups (<see cref="FourRowDriver"/>)
/// call the same members, so each formula is written here once; the drivers own the passes, the reductions and the
/// tails.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Factor"/> works lane by lane (a four-row group passes its four rows' sums in one vector, row q's in
/// 128-bit block q); <see cref="Invoke"/> receives one row's m and factor in every lane.
/// </para>
/// <para>
/// What varies by kernel is told by marker interfaces, <see cref="IFromLogits"/> and <see cref="ILabelledRows"/>, which the
/// drivers test as <c>typeof(TOp).IsAssignableTo(…)</c> at each branch: the JIT folds that while importing the IL,
/// so the other kernels' branches never reach the inliner. A property returning a constant folds only once it is
/// inlined, after the inliner has already inlined into the dead branch; in the four-row loop that spent the
/// method's limit of locals and left the stores as calls.
/// </para>
/// </remarks>
internal interface ISoftmaxRowOperator<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The row's factor from its sum Σ ≥ 1, lane by lane: 1/Σ, log Σ, scale/Σ.</summary>
    TVec Factor<TOps, TVec>(TVec sum)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;

    /// <summary>
    /// One vector of the row's output from <c>e</c> (or from x, for an <see cref="IFromLogits"/> kernel), with the row's m
    /// and factor broadcast.
    /// </summary>
    TVec Invoke<TOps, TVec>(TVec value, TVec max, TVec factor)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;

    /// <summary>The label of row <paramref name="row"/>, in <c>[0, cols)</c>; only for an <see cref="ILabelledRows"/> kernel.</summary>
    int Label(int row);

    /// <summary>The output at the label from what <see cref="Invoke"/> gave there; only for an <see cref="ILabelledRows"/> kernel.</summary>
    TVec AtLabel<TOps, TVec>(TVec output)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct;

    /// <summary>
    /// Row <paramref name="row"/>'s loss less its log Σ, <c>m − x[label]</c>, in double; only for an
    /// <see cref="ILabelledRows"/> kernel.
    /// </summary>
    double LossWithoutLogSum(int row, ref T x, T max);

    /// <summary>
    /// The whole row where its maximum <paramref name="max"/> is not finite (a +∞, a row of −∞, a NaN the native max
    /// kept), element by element: <paramref name="destination"/> may be <paramref name="x"/> itself. Returns the row's loss (0 without labels).
    /// </summary>
    double NonFiniteRow(int row, ref T x, ref T destination, nuint cols, T max);
}

/// <summary>
/// Marks an <see cref="ISoftmaxRowOperator{T}"/> whose <see cref="ISoftmaxRowOperator{T}.Invoke"/> reads the logits x
/// rather than <c>e = exp(x − m)</c> (log-softmax): the drivers keep no exps for its output pass.
/// </summary>
internal interface IFromLogits;

/// <summary>
/// Marks an <see cref="ISoftmaxRowOperator{T}"/> whose rows have labels (the cross-entropy): the output at row r's label
/// goes through <see cref="ISoftmaxRowOperator{T}.AtLabel"/>, and the row's loss is
/// <c>−log softmax(x)[label] = <see cref="ISoftmaxRowOperator{T}.LossWithoutLogSum"/> + log Σ</c>. Other kernels have no loss.
/// </summary>
internal interface ILabelledRows;
