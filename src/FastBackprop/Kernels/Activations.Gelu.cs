using FastBackprop.Simd;

namespace FastBackprop;

public static partial class Activations
{
    /// <summary>
    /// GELU, tanh approximation, element-wise: <c>y = ½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))</c> = <c>x·σ(2u)</c> with
    /// <c>u = √(2/π)·(x + 0.044715x³)</c>.
    /// </summary>
    /// <remarks>
    /// Evaluated as x·σ(2u), which needs no tanh and keeps the negative tail accurate down to the subnormals.
    /// GELU(+∞) = +∞, GELU(−∞) = −0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void GeluTanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(GeluTanhOperator<T>), x, y);
    }

    /// <summary>GELU (tanh approximation) backward from the input: <c>dx = dy ⊙ (σ(2u) + x·σ′(2u)·2u′)</c>, <c>u′ = √(2/π)·(1 + 3·0.044715x²)</c>.</summary>
    /// <remarks>
    /// The derivative of the approximation itself (what gradient checks see), not of exact GELU. Around its root at
    /// x ≈ −0.7525, where the two terms cancel, it comes from a polynomial in the distance to the root, so it keeps
    /// its relative accuracy there too. 1 at +∞, 0 at −∞. <paramref name="dx"/> may be <paramref name="x"/> or
    /// <paramref name="dy"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void GeluTanhBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(GeluTanhBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>GELU, exact, element-wise: <c>y = x·Φ(x) = ½x·erfc(−x/√2)</c>.</summary>
    /// <remarks>
    /// Φ is computed from erfc for both signs (1 − ½erfc(x/√2) for x ≥ 0, ½erfc(|x|/√2) for x &lt; 0), never as
    /// 1 + erf, so the negative tail keeps its relative accuracy down to the subnormals. GELU(+∞) = +∞,
    /// GELU(−∞) = −0, NaN → NaN. <paramref name="y"/> may be <paramref name="x"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void GeluErf<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckUnary(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Run(default(GeluErfOperator<T>), x, y);
    }

    /// <summary>Exact GELU backward from the input: <c>dx = dy ⊙ (Φ(x) + x·φ(x))</c>, <c>φ(x) = e^(−x²/2)/√(2π)</c>.</summary>
    /// <remarks>
    /// Around the derivative's root at x ≈ −0.7518, where the two terms cancel, it comes from a polynomial in the
    /// distance to the root, so it keeps its relative accuracy there too. 1 at +∞, 0 at −∞. <paramref name="dx"/> may
    /// be <paramref name="x"/> or <paramref name="dy"/> itself.
    /// </remarks>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="dx"/> partially overlaps an input.</exception>
    public static void GeluErfBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckBinary(x, dy, dx, nameof(x), nameof(dy), nameof(dx));
        ElementwiseDriver.Run(default(GeluErfBackwardOperator<T>), x, dy, dx);
    }

    /// <summary>GELU (tanh) in the registry (α unused): forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct GeluTanhKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => GeluTanh(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => GeluTanhBackward(x, dy, dx);
    }

    /// <summary>GELU (erf) in the registry (α unused): forward and backward from the input; f′ is not a function of y.</summary>
    internal readonly struct GeluErfKernels : IActivationKernels
    {
        public static void Forward<T>(ReadOnlySpan<T> x, T alpha, Span<T> y)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => GeluErf(x, y);

        public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T alpha, Span<T> dx)
            where T : unmanaged, IBinaryFloatingPointIeee754<T> => GeluErfBackward(x, dy, dx);
    }

    /// <summary>
    /// y = x·σ(z), z = 2u = x·(2k + 2k·c·x²), k = √(2/π), c = 0.044715. x is clamped below at −12 (float) or −30
    /// (double), where z &lt; −130 (−800) and the product is far below the subnormals; z is computed from x clamped to
    /// ±12 (±30) as well, where σ(z) is 1 to the last bit, so x³ never overflows.
    /// </summary>
    internal readonly struct GeluTanhOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            double limit = typeof(T) == typeof(float) ? 12.0 : 30.0;
            TVec factor = TOps.Max(VectorMath.Constant<TOps, TVec, T>(-limit), x);
            TVec clamped = TOps.Min(VectorMath.Constant<TOps, TVec, T>(limit), factor);
            TVec z = GeluTanhArgument<TOps, TVec, T>(clamped, out TVec zLow);
            return VectorMath.MultiplyBySigmoid<TOps, TVec, T>(factor, z, zLow);
        }
    }

    /// <summary>dx = dy · (σ(z) + x·σ′(z)·z′), z′ = 2k·(1 + 3c·x²), x clamped to ±12 (±30) beyond which the derivative is 1 or 0.</summary>
    internal readonly struct GeluTanhBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            double limit = typeof(T) == typeof(float) ? 12.0 : 30.0;
            TVec clamped = TOps.Min(VectorMath.Constant<TOps, TVec, T>(limit), TOps.Max(VectorMath.Constant<TOps, TVec, T>(-limit), x));
            TVec slope = TOps.MultiplyAdd(
                TOps.Multiply(clamped, clamped), VectorMath.Constant<TOps, TVec, T>(GeluTanhCubic * 3), VectorMath.Constant<TOps, TVec, T>(GeluTanhLinear));
            TVec z = GeluTanhArgument<TOps, TVec, T>(clamped, out TVec zLow);
            TVec derivative = VectorMath.SigmoidGateDerivative<TOps, TVec, T>(clamped, z, zLow, slope);
            return TOps.Multiply(dy, VectorMath.WithRootWindow<TOps, TVec, T>(x, GatedActivation.GeluTanh, derivative));
        }
    }

    /// <summary>
    /// y = x·Φ(x) = x·Q(−x) for x &lt; 0 and x − x·Q(x) otherwise, x·Q(|x|) from
    /// <see cref="VectorMath.MultiplyByNormalTail"/>; x clamped to ±15 (±40), beyond which Φ is 0 or 1 to the last bit
    /// (the negative side then underflows to −0).
    /// </summary>
    internal readonly struct GeluErfOperator<T> : IUnaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            double limit = typeof(T) == typeof(float) ? 15.0 : 40.0;
            TVec clamped = TOps.Min(VectorMath.Constant<TOps, TVec, T>(limit), TOps.Max(VectorMath.Constant<TOps, TVec, T>(-limit), x));
            TVec product = TOps.ScaleByPowerOfTwo(VectorMath.MultiplyByNormalTail<TOps, TVec, T>(clamped, clamped, out TVec n), n);
            return TOps.Select(TOps.LessThan(x, TOps.Create(T.Zero)), product, TOps.Subtract(x, product));
        }
    }

    /// <summary>
    /// dx = dy · (Φ(x) + x·φ(x)): with Q = 1 − Φ(|x|), the derivative is T = Q − |x|·φ(x) for x &lt; 0 and 1 − T for
    /// x ≥ 0, T formed unscaled and scaled by 2ⁿ once. x clamped to ±15 (±40).
    /// </summary>
    internal readonly struct GeluErfBackwardOperator<T> : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec dy)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            double limit = typeof(T) == typeof(float) ? 15.0 : 40.0;
            TVec clamped = TOps.Min(VectorMath.Constant<TOps, TVec, T>(limit), TOps.Max(VectorMath.Constant<TOps, TVec, T>(-limit), x));
            TVec halfTail = NormalTail<TOps, TVec, T>(clamped, out TVec n, out TVec gaussian);
            TVec density = TOps.Multiply(TOps.Abs(clamped), VectorMath.Constant<TOps, TVec, T>(-0.3989422804014327)); // −|x|/√(2π)
            TVec t = TOps.ScaleByPowerOfTwo(TOps.MultiplyAdd(density, gaussian, halfTail), n);
            TVec derivative = TOps.Select(TOps.LessThan(x, TOps.Create(T.Zero)), t, TOps.Subtract(TOps.Create(T.One), t));
            return TOps.Multiply(dy, VectorMath.WithRootWindow<TOps, TVec, T>(x, GatedActivation.GeluErf, derivative));
        }
    }

    /// <summary>2k = 2√(2/π).</summary>
    private const double GeluTanhLinear = 1.5957691216057308;

    /// <summary>2k·c = 2√(2/π)·0.044715.</summary>
    private const double GeluTanhCubic = 0.07135481627260025;

    /// <summary>
    /// z = 2u = x·(2k + 2k·c·x²) as z + zLow to about twice the working precision: e^z multiplies z's relative error
    /// by |z| (up to 130 in float), so a plainly rounded z would cost tens of ULP in the tail. The constants are split
    /// into the element type's rounding and remainder (float: 1.5957692f − 4.53e−8, 0.071354814f + 2.40e−9;
    /// double: remainders −9.97e−17 and −6.18e−19), and the products and sum are error-free transformations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec GeluTanhArgument<TOps, TVec, T>(TVec x, out TVec zLow)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool single = typeof(T) == typeof(float);
        TVec linear = VectorMath.Constant<TOps, TVec, T>(GeluTanhLinear);
        TVec linearLow = VectorMath.Constant<TOps, TVec, T>(single ? -4.534068042105272e-08 : -9.96930880911092e-17);
        TVec cubic = VectorMath.Constant<TOps, TVec, T>(GeluTanhCubic);
        TVec cubicLow = VectorMath.Constant<TOps, TVec, T>(single ? 2.3988323959931355e-09 : -6.175149918155315e-19);
        TVec square = VectorMath.SquareSplit<TOps, TVec, T>(x, out TVec squareLow);
        TVec term = VectorMath.TwoProduct<TOps, TVec, T>(cubic, square, out TVec termError);
        TVec w = VectorMath.TwoSum<TOps, TVec, T>(linear, term, out TVec sumError);
        TVec wLow = TOps.Add(TOps.Add(sumError, termError), TOps.MultiplyAdd(cubic, squareLow, TOps.MultiplyAdd(cubicLow, square, linearLow)));
        TVec z = VectorMath.TwoProduct<TOps, TVec, T>(x, w, out TVec zError);
        zLow = TOps.MultiplyAdd(x, wLow, zError);
        return z;
    }

    /// <summary>
    /// The normal upper tail Q(|x|) = ½erfc(|x|/√2) = result·2ⁿ, and e^(−x²/2) = gaussian·2ⁿ, for |x| within the
    /// clamp: x²/2 is split exactly (rounding |x|/√2 first would cost up to 2|x|²·2⁻²⁴ relative, 50 ULP at x = 10).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec NormalTail<TOps, TVec, T>(TVec x, out TVec n, out TVec gaussian)
        where TOps : IVectorOps<TVec, T>
        where TVec : struct
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec half = VectorMath.Constant<TOps, TVec, T>(0.5);
        TVec high = VectorMath.SquareSplit<TOps, TVec, T>(x, out TVec low);
        TVec a = TOps.Multiply(TOps.Abs(x), VectorMath.Constant<TOps, TVec, T>(0.7071067811865476));
        TVec tail = VectorMath.ErfcSplit<TOps, TVec, T>(a, TOps.Multiply(high, half), TOps.Multiply(low, half), out n, out gaussian);
        return TOps.Multiply(tail, half);
    }
}
