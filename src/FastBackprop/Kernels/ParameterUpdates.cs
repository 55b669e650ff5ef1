using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// The optimizer steps of <c>Mlp.ApplyUpdate</c> as single element-wise passes: SGD, heavy-ball momentum and Adam,
/// each with the decoupled weight decay factor <c>d</c> folded in (<c>θ ← d·θ</c> first, then the rule's step;
/// d = 1 for biases and when no decay is asked for, and multiplying by 1 changes no value).
/// </summary>
/// <remarks>
/// <para>What an element's result depends on: its own g, θ and state, the step's coefficients, and the path's
/// <see cref="VectorMath.MultiplyAddIsFused"/> — never the span's length, offset or the element's position, since
/// the driver runs every element at the path's width (a short span as one padded vector) and every width computes
/// the same operations in the same order. Adam uses only +, −, ×, ÷ and √, each correctly rounded: its bits are the same on every path and are those
/// of the scalar loop it replaced. SGD's and momentum's parameter step is a multiply-add, as in
/// <see cref="Linear.Axpy{T}"/>: one rounding where it is fused, two where it is not (SSE-only x86, x86 without
/// hardware intrinsics; Arm64 always fuses), so those paths can differ from the others by one rounding.</para>
/// <para>Momentum's velocity and Adam's moments are flushed to zero where their magnitude falls below the smallest
/// normal number (2⁻¹²⁶ in float, 2⁻¹⁰²² in double). A weight whose gradient is zero (a dead ReLU unit's) has a
/// state that decays geometrically, by μ or β per step, and without the flush it would spend ≈ 150 (momentum) to
/// ≈ 16 000 (Adam's v) steps as a subnormal; Intel cores take a microcode assist on every vector operation with a
/// subnormal operand or result. On 784-256-10 ReLU at batch 64 (this Xeon, Stopwatch), the momentum update went from
/// 92 µs to 1.3 ms per step as units died. The flush moves θ by less than α·2⁻¹²⁶ per step.</para>
/// <para>The spans must have one length and be disjoint (an <c>Mlp</c>'s parameters, gradient and state vectors are);
/// an <see cref="ArgumentException"/> naming the span says otherwise before anything is written.</para>
/// </remarks>
internal static class ParameterUpdates
{
    /// <summary>SGD: <c>θ ← d·θ − α·g</c>.</summary>
    public static void Sgd<T>(T learningRate, T decay, ReadOnlySpan<T> gradient, Span<T> parameters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSpans(gradient, parameters);
        ElementwiseDriver.Run(new SgdOperator<T>(-learningRate, decay), gradient, parameters, parameters);
    }

    /// <summary>Heavy-ball momentum: <c>v ← μ·v + g</c>, then <c>θ ← d·θ − α·v</c> with the new v.</summary>
    public static void Momentum<T>(T learningRate, T momentum, T decay, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> velocity)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSpans(gradient, parameters);
        CheckState(gradient, parameters, velocity, nameof(velocity));
        ElementwiseDriver.RunUpdate(new MomentumOperator<T>(-learningRate, momentum, decay), gradient, parameters, velocity);
    }

    /// <summary>Adam with <paramref name="coefficients"/> for this step; see <see cref="AdamCoefficients{T}"/>.</summary>
    public static void Adam<T>(in AdamCoefficients<T> coefficients, T decay, ReadOnlySpan<T> gradient, Span<T> parameters, Span<T> firstMoment, Span<T> secondMoment)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckSpans(gradient, parameters);
        CheckState(gradient, parameters, firstMoment, nameof(firstMoment));
        CheckState(gradient, parameters, secondMoment, nameof(secondMoment));
        Guard.NoOverlap<T, T>(firstMoment, secondMoment, nameof(firstMoment), nameof(secondMoment));
        ElementwiseDriver.RunUpdate(new AdamOperator<T>(coefficients, decay), gradient, parameters, firstMoment, secondMoment);
    }

    /// <summary>The parameters have the gradient's length and share no element with it.</summary>
    private static void CheckSpans<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.SameLength(parameters.Length, gradient.Length, nameof(parameters), nameof(gradient));
        Guard.NoOverlap(gradient, parameters, nameof(gradient), nameof(parameters));
    }

    /// <summary>A state vector has the gradient's length and shares no element with it or with the parameters.</summary>
    private static void CheckState<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state, string stateName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SameLength(state.Length, gradient.Length, stateName, nameof(gradient));
        Guard.NoOverlap(gradient, state, nameof(gradient), stateName);
        Guard.NoOverlap(parameters, state, nameof(parameters), stateName);
    }

    /// <summary>x, or +0 where |x| is below the smallest normal number (NaN and ±∞ pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec FlushSubnormal<T, TOps, TVec>(TVec x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOps : IVectorOps<TVec, T>
        where TVec : struct =>
        TOps.Select(TOps.LessThan(TOps.Abs(x), TOps.Create(SmallestNormal<T>())), TOps.Create(T.Zero), x);

    /// <summary>2⁻¹²⁶ for float, 2⁻¹⁰²² for double: the smallest subnormal times 2^(mantissa bits).</summary>
    internal static T SmallestNormal<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        T.Epsilon * T.CreateTruncating(typeof(T) == typeof(float) ? 8388608.0 : 4503599627370496.0);

    /// <summary>θ ← d·θ + (−α)·g, the multiply-add fused where the hardware can (as Axpy).</summary>
    private readonly struct SgdOperator<T>(T negativeRate, T decay) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec gradient, TVec parameter)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.MultiplyAdd(TOps.Create(negativeRate), gradient, TOps.Multiply(TOps.Create(decay), parameter));
    }

    /// <summary>
    /// v ← μ·v + g (two roundings, as the scale-then-add it replaced), flushed to zero below the normal range;
    /// θ ← d·θ + (−α)·v, fused where the hardware can.
    /// </summary>
    private readonly struct MomentumOperator<T>(T negativeRate, T momentum, T decay) : IUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec gradient, TVec parameter, ref TVec state)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec velocity = FlushSubnormal<T, TOps, TVec>(TOps.Add(TOps.Multiply(TOps.Create(momentum), state), gradient));
            state = velocity;
            return TOps.MultiplyAdd(TOps.Create(negativeRate), velocity, TOps.Multiply(TOps.Create(decay), parameter));
        }
    }

    /// <summary>
    /// m ← β₁·m + (1−β₁)·g; v ← β₂·v + ((1−β₂)·g)·g; θ ← d·θ − (s·m) / (√(c₂·v) + ε), each operation rounded
    /// once in this order and none fused, so that every path gives the same bits; m and v are flushed to zero below
    /// the normal range before they are stored and used.
    /// </summary>
    private readonly struct AdamOperator<T>(AdamCoefficients<T> c, T decay) : ITwoStateUpdateOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec gradient, TVec parameter, ref TVec firstState, ref TVec secondState)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec m = FlushSubnormal<T, TOps, TVec>(
                TOps.Add(TOps.Multiply(TOps.Create(c.Beta1), firstState), TOps.Multiply(TOps.Create(c.OneMinusBeta1), gradient)));
            TVec v = FlushSubnormal<T, TOps, TVec>(TOps.Add(
                TOps.Multiply(TOps.Create(c.Beta2), secondState),
                TOps.Multiply(TOps.Multiply(TOps.Create(c.OneMinusBeta2), gradient), gradient)));
            firstState = m;
            secondState = v;
            TVec denominator = TOps.Add(TOps.Sqrt(TOps.Multiply(TOps.Create(c.SecondCorrection), v)), TOps.Create(c.Epsilon));
            TVec step = TOps.Divide(TOps.Multiply(TOps.Create(c.StepSize), m), denominator);
            return TOps.Subtract(TOps.Multiply(TOps.Create(decay), parameter), step);
        }
    }
}

/// <summary>
/// Adam's per-step constants in <typeparamref name="T"/>: each hyperparameter rounded once from double, the step size
/// <c>s = α·c₁</c> (α and c₁ = 1/(1−β₁ᵗ) each rounded, then multiplied in T) and c₂ = 1/(1−β₂ᵗ), taken in double once per step.
/// </summary>
internal readonly record struct AdamCoefficients<T>(T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T StepSize, T SecondCorrection, T Epsilon)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The constants of step <paramref name="t"/> (1 for the first update) at learning rate α = <paramref name="learningRate"/>.</summary>
    public static AdamCoefficients<T> ForStep(double learningRate, double beta1, double beta2, double epsilon, long t) =>
        new(
            T.CreateTruncating(beta1),
            T.CreateTruncating(1 - beta1),
            T.CreateTruncating(beta2),
            T.CreateTruncating(1 - beta2),
            T.CreateTruncating(learningRate) * T.CreateTruncating(1 / (1 - Math.Pow(beta1, t))),
            T.CreateTruncating(1 / (1 - Math.Pow(beta2, t))),
            T.CreateTruncating(epsilon));
}
