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
