using FastBackprop.Simd;

namespace FastBackprop;

/// <summary>
/// Loss functions that return the loss and write its gradient with respect to the prediction (or logits) in one
/// call, ready to start the backward pass.
/// </summary>
/// <remarks>
/// <para>
/// One function per loss head, named as its <see cref="Training.LossKind"/> member: <see cref="SquaredErrorSum"/>,
/// <see cref="HalfSquaredErrorSum"/>, <see cref="MeanSquaredError"/>, <c>SoftmaxCrossEntropy</c> (with class
/// labels, <see cref="SoftmaxCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, Span{T})"/>, or with
/// probability rows) and <see cref="SigmoidCrossEntropy"/>.
/// </para>
/// <para>
/// The loss is returned as <c>T</c> but accumulated in double across rows (cross-entropy) or across blocks of 1024
/// elements (squared error; within a block, in <c>T</c> vector lanes), so a float loss over a large batch does not
/// drift. Mean reductions divide by N (rows for the softmax cross-entropies, elements otherwise); an empty input
/// gives loss 0.
/// </para>
/// <para>
/// Values are never validated: NaN and ±∞ flow through as each method documents. The gradient may be the
/// prediction or logits span itself (in place) but must not partially overlap an input.
/// </para>
/// </remarks>
public static class Losses
{
    /// <summary>
    /// Squared error summed over the n elements of a prediction <c>z</c> and a target <c>y</c>:
    /// <c>L = Σ(z − y)²</c>, gradient <c>∂L/∂z = 2(z − y)</c>. The kernel of <see cref="Training.LossKind.SquaredErrorSum"/>.
    /// </summary>
    /// <param name="prediction">The network's output z.</param>
    /// <param name="target">The desired output y, as long as <paramref name="prediction"/>.</param>
    /// <param name="gradient"><c>∂L/∂z</c>; may be <paramref name="prediction"/> or <paramref name="target"/> itself.</param>
    /// <returns>The loss L.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="gradient"/> partially overlaps an input.</exception>
    public static T SquaredErrorSum<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SquaredError(prediction, target, gradient, gradientScale: 2, lossScale: 1);

    /// <summary>
    /// Half the squared error summed over the n elements: <c>L = ½Σ(z − y)²</c>, gradient <c>∂L/∂z = z − y</c>.
    /// The kernel of <see cref="Training.LossKind.HalfSquaredErrorSum"/>.
    /// </summary>
    /// <param name="prediction">The network's output z.</param>
    /// <param name="target">The desired output y, as long as <paramref name="prediction"/>.</param>
    /// <param name="gradient"><c>∂L/∂z</c>; may be <paramref name="prediction"/> or <paramref name="target"/> itself.</param>
    /// <returns>The loss L.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="gradient"/> partially overlaps an input.</exception>
    public static T HalfSquaredErrorSum<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SquaredError(prediction, target, gradient, gradientScale: 1, lossScale: 0.5);

    /// <summary>
    /// Squared error averaged over all n elements: <c>L = (1/n)Σ(z − y)²</c>, gradient <c>∂L/∂z = 2(z − y)/n</c>.
    /// The kernel of <see cref="Training.LossKind.MeanSquaredError"/>.
    /// </summary>
    /// <param name="prediction">The network's output z.</param>
    /// <param name="target">The desired output y, as long as <paramref name="prediction"/>.</param>
    /// <param name="gradient"><c>∂L/∂z</c>; may be <paramref name="prediction"/> or <paramref name="target"/> itself.</param>
    /// <returns>The loss L (0 for empty spans).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="gradient"/> partially overlaps an input.</exception>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SquaredError(prediction, target, gradient, gradientScale: 2.0 / prediction.Length, lossScale: 1.0 / prediction.Length);

    /// <summary>
    /// Softmax cross-entropy with integer class labels, fused, mean over the N = <paramref name="rows"/> samples:
    /// <c>L = (1/N) Σᵣ −log softmax(x[r, :])[labelᵣ]</c>, gradient <c>∂L/∂x[r, :] = (softmax(x[r, :]) − onehot(labelᵣ)) / N</c>.
    /// </summary>
    /// <remarks>
    /// The loss of a row is <c>(m − x[label]) + log Σ exp(x − m)</c>, m the row maximum, evaluated in double.
    /// Non-finite logits follow <see cref="Activations.Softmax{T}"/>: a −∞ logit at the label gives loss +∞, +∞ logits share the
    /// probability, a row of −∞ or with a NaN gives NaN loss and gradient.
    /// </remarks>
    /// <param name="logits">Logits x, <c>[rows × cols]</c> row-major.</param>
    /// <param name="labels">One class per row, each in <c>[0, cols)</c>.</param>
    /// <param name="rows">Number of samples N.</param>
    /// <param name="cols">Number of classes.</param>
    /// <param name="gradient"><c>∂L/∂x</c>, <c>[rows × cols]</c>; may be <paramref name="logits"/> itself, must not
    /// share a byte with <paramref name="labels"/>.</param>
    /// <returns>The mean loss L (0 when <paramref name="rows"/> is 0).</returns>
    /// <exception cref="ArgumentException">
    /// A size is negative, <c>rows × cols</c> is not the length of <paramref name="logits"/>, <paramref name="gradient"/>
    /// has another length, partially overlaps <paramref name="logits"/> or overlaps <paramref name="labels"/> (say, labels
    /// cast from the gradient's memory), or <paramref name="labels"/> does not have one label in range per row.
    /// </exception>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int rows, int cols, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(logits.Length, rows, cols, nameof(logits));
        Guard.SameLength(gradient.Length, logits.Length, nameof(gradient), nameof(logits));
        Guard.NoPartialOverlap(logits, gradient, nameof(logits), nameof(gradient));
        Guard.NoOverlap(labels, gradient, nameof(labels), nameof(gradient));
        Guard.Labels(labels, rows, cols, nameof(labels));
        if (rows == 0)
        {
            return T.Zero;
        }

        T scale = T.One / T.CreateTruncating(rows);
        double total = RowwiseDriver.RunSoftmax(new SoftmaxCrossEntropyOperator<T>(labels, scale), logits, gradient, rows, cols);
        return T.CreateTruncating(total / rows);
    }

    /// <summary>
    /// Softmax cross-entropy with probability targets t (one distribution per row), fused, mean over the
    /// N = <paramref name="rows"/> samples: <c>L = −(1/N) Σᵣ Σⱼ t[r, j] · log softmax(x[r, :])ⱼ</c>, gradient
    /// <c>(softmax(x[r, :]) − t[r, :]) / N</c>, which is <c>∂L/∂x</c> when each row of t sums to 1.
    /// </summary>
    /// <remarks>
    /// A row's loss is <c>Σⱼ tⱼ·(m − xⱼ) + (Σⱼ tⱼ)·log Σ exp(x − m)</c>, m the row maximum, with terms where
    /// <c>tⱼ = 0</c> left out (<c>0 · log 0 = 0</c>, so a masked −∞ logit with target 0 costs nothing); the sums run
    /// in <c>T</c> lanes and the log in double. Non-finite logits follow <see cref="Activations.Softmax{T}"/>.
    /// </remarks>
    /// <param name="logits">Logits x, <c>[rows × cols]</c> row-major.</param>
    /// <param name="targets">Target distributions t, <c>[rows × cols]</c>.</param>
    /// <param name="rows">Number of samples N.</param>
    /// <param name="cols">Number of classes.</param>
    /// <param name="gradient"><c>∂L/∂x</c>, <c>[rows × cols]</c>; may be <paramref name="logits"/> itself, must not overlap <paramref name="targets"/>.</param>
    /// <returns>The mean loss L (0 when <paramref name="rows"/> is 0).</returns>
    /// <exception cref="ArgumentException">
    /// A size is negative, <c>rows × cols</c> is not the length of <paramref name="logits"/>, another span's length
    /// differs, <paramref name="gradient"/> partially overlaps <paramref name="logits"/> or overlaps <paramref name="targets"/>.
    /// </exception>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, int rows, int cols, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.MatrixLength(logits.Length, rows, cols, nameof(logits));
        Guard.SameLength(targets.Length, logits.Length, nameof(targets), nameof(logits));
        Guard.SameLength(gradient.Length, logits.Length, nameof(gradient), nameof(logits));
        Guard.NoPartialOverlap(logits, gradient, nameof(logits), nameof(gradient));
        Guard.NoOverlap(targets, gradient, nameof(targets), nameof(gradient));
        if (rows == 0)
        {
            return T.Zero;
        }

        T scale = T.One / T.CreateTruncating(rows);
        double total = RowwiseDriver.Run(new CrossEntropyTargetsRow<T>(scale), logits, targets, gradient, rows, cols);
        return T.CreateTruncating(total / rows);
    }

    /// <summary>
    /// Binary cross-entropy with logits, mean over the N elements:
    /// <c>L = (1/N) Σ [max(x, 0) − x·y + log(1 + e^(−|x|))]</c>, which is <c>−(1/N) Σ [y·log σ(x) + (1 − y)·log(1 − σ(x))]</c>
    /// without ever forming σ(x), and gradient <c>(σ(x) − y) / N</c>.
    /// </summary>
    /// <remarks>
    /// The cure for a saturated sigmoid output: at x = 50, y = 0 the gradient is ≈ 1/N, where squared error through a saturated sigmoid
    /// gives 0, and the loss is ≈ 50, finite. The loss is evaluated per element in double (with an accurate
    /// <c>log(1 + e)</c>); the gradient is vectorised. ±∞ logits give a finite gradient, and loss 0 for the element
    /// when the target agrees (y = 1 at +∞, y = 0 at −∞), +∞ otherwise; NaN gives NaN.
    /// </remarks>
    /// <param name="logits">Logits x (pre-sigmoid).</param>
    /// <param name="targets">Targets y, normally in [0, 1].</param>
    /// <param name="gradient"><c>∂L/∂x</c>; may be <paramref name="logits"/> or <paramref name="targets"/> itself.</param>
    /// <returns>The mean loss L (0 for empty spans).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or <paramref name="gradient"/> partially overlaps an input.</exception>
    public static T SigmoidCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.SameLength(targets.Length, logits.Length, nameof(targets), nameof(logits));
        Guard.SameLength(gradient.Length, logits.Length, nameof(gradient), nameof(logits));
        Guard.NoPartialOverlap(logits, gradient, nameof(logits), nameof(gradient));
        Guard.NoPartialOverlap(targets, gradient, nameof(targets), nameof(gradient));
        int n = logits.Length;
        if (n == 0)
        {
            return T.Zero;
        }

        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += BinaryCrossEntropyTerm(double.CreateTruncating(logits[i]), double.CreateTruncating(targets[i]));
        }

        ElementwiseDriver.Run(new BinaryCrossEntropyGradientOperator<T>(T.One / T.CreateTruncating(n)), logits, targets, gradient);
        return T.CreateTruncating(sum / n);
    }

    /// <summary>
    /// The three squared errors: <c>L = lossScale · Σ(z − y)²</c>, <c>∂L/∂z = gradientScale · (z − y)</c>, the
    /// gradient scale rounded to <c>T</c> once.
    /// </summary>
    private static T SquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, double gradientScale, double lossScale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.SameLength(target.Length, prediction.Length, nameof(target), nameof(prediction));
        Guard.SameLength(gradient.Length, prediction.Length, nameof(gradient), nameof(prediction));
        Guard.NoPartialOverlap(prediction, gradient, nameof(prediction), nameof(gradient));
        Guard.NoPartialOverlap(target, gradient, nameof(target), nameof(gradient));
        if (prediction.Length == 0)
        {
            return T.Zero;
        }

        double sum = LossDriver.Run(new SquaredErrorOperator<T>(T.CreateTruncating(gradientScale)), prediction, target, gradient);
        return T.CreateTruncating(sum * lossScale);
    }

    /// <summary>
    /// <c>max(x, 0) − x·y + log(1 + e^(−|x|))</c> written as <c>a·x + log(1 + e^(−|x|))</c> with <c>a = 1 − y</c> for x ≥ 0 and
    /// <c>−y</c> below, where <c>a = 0</c> contributes 0 even at x = ±∞.
    /// </summary>
    private static double BinaryCrossEntropyTerm(double x, double y)
    {
        double slope = x >= 0 ? 1 - y : -y;
        double linear = slope == 0 ? 0 : slope * x;
        double e = Math.Exp(-Math.Abs(x));
        double u = 1 + e;

        // log(1 + e) = log(u) · e / (u − 1): the rounding of u cancels between numerator and denominator.
        double log1p = u == 1 ? e : Math.Log(u) * e / (u - 1);
        return linear + log1p;
    }

    /// <summary>d = z − y; gradient d·scale, loss term d².</summary>
    internal readonly struct SquaredErrorOperator<T>(T gradientScale) : ILossOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec prediction, TVec target, out TVec loss)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec difference = TOps.Subtract(prediction, target);
            loss = TOps.Multiply(difference, difference);
            return TOps.Multiply(difference, TOps.Create(gradientScale));
        }
    }

    /// <summary>(σ(x) − y) · (1/N), σ from the overflow-free sigmoid.</summary>
    internal readonly struct BinaryCrossEntropyGradientOperator<T>(T scale) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec y)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Multiply(TOps.Subtract(default(Activations.SigmoidOperator<T>).Invoke<TOps, TVec>(x), y), TOps.Create(scale));
    }

    /// <summary>t·(m − x) where t ≠ 0, else 0.</summary>
    internal readonly struct CrossEntropyTermOperator<T>(T max) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec x, TVec t)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            TVec zero = TOps.Create(T.Zero);
            TVec term = TOps.Multiply(t, TOps.Subtract(TOps.Create(max), x));
            return TOps.Select(TOps.LessThanOrEqual(TOps.Abs(t), zero), zero, term);
        }
    }

    /// <summary>(e·r − t)·scale with r = 1/Σe: (softmax − target)/N.</summary>
    internal readonly struct CrossEntropyGradientOperator<T>(T reciprocalSum, T scale) : IBinaryOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec e, TVec t)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct =>
            TOps.Multiply(TOps.Subtract(TOps.Multiply(e, TOps.Create(reciprocalSum)), t), TOps.Create(scale));
    }

    /// <summary>
    /// The gradient of <see cref="SoftmaxCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int, Span{T})"/>,
    /// <c>e · (scale/Σ) − scale</c> at the label and <c>e · (scale/Σ)</c> elsewhere (scale = 1/N), and its row loss
    /// <c>(m − x[label]) + log Σ</c>.
    /// </summary>
    internal readonly ref struct SoftmaxCrossEntropyOperator<T>(ReadOnlySpan<int> labels, T scale) : ISoftmaxRowOperator<T>, ILabelledRows
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<int> _labels = labels;

        /// <remarks>The labels are validated, one per row, before any row runs.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Label(int row) => Unsafe.Add(ref MemoryMarshal.GetReference(_labels), row);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Factor<TOps, TVec>(TVec sum)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Divide(TOps.Create(scale), sum);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TOps, TVec>(TVec value, TVec max, TVec factor)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Multiply(value, factor);

        /// <summary>softmax/N − 1/N at the label.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec AtLabel<TOps, TVec>(TVec output)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct => TOps.Subtract(output, TOps.Create(scale));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double LossWithoutLogSum(int row, ref T x, T max) =>
            ScalarOps<T>.Widen(max) - ScalarOps<T>.Widen(Unsafe.Add(ref x, Label(row)));

        /// <summary>(p − onehot) · scale from the non-finite row's probabilities p, and loss −log p[label].</summary>
        /// <remarks>Out of line: the row is rare, and its loops would only spend the row loop's inline budget.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public double NonFiniteRow(int row, ref T x, ref T destination, nuint cols, T max)
        {
            Activations.SoftmaxOfNonFiniteRow(ref x, ref destination, cols, max, log: false);
            ref T atLabel = ref Unsafe.Add(ref destination, Label(row));
            double probability = double.CreateTruncating(atLabel);
            atLabel -= T.One;
            for (nuint j = 0; j < cols; j++)
            {
                Unsafe.Add(ref destination, j) *= scale;
            }

            return -Math.Log(probability);
        }
    }

    /// <summary>One row of <see cref="SoftmaxCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, int, Span{T})"/>.</summary>
    internal readonly struct CrossEntropyTargetsRow<T>(T scale) : IRowOperator<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Invoke<TOps, TVec>(int row, ref T x, ref T targets, ref T gradient, nuint cols)
            where TOps : IVectorOps<TVec, T>
            where TVec : struct
        {
            T max = RowwiseDriver.Max<T, TOps, TVec>(ref x, cols);
            if (!T.IsFinite(max))
            {
                Activations.SoftmaxOfNonFiniteRow(ref x, ref gradient, cols, max, log: false);
                double loss = 0;
                for (nuint j = 0; j < cols; j++)
                {
                    T t = Unsafe.Add(ref targets, j);
                    ref T g = ref Unsafe.Add(ref gradient, j);
                    loss -= t == T.Zero ? 0 : double.CreateTruncating(t) * Math.Log(double.CreateTruncating(g));
                    g = (g - t) * scale;
                }

                return loss;
            }

            T shifted = RowwiseDriver.Reduce<CrossEntropyTermOperator<T>, T, TOps, TVec>(new(max), ref x, ref targets, cols);
            T targetSum = RowwiseDriver.Sum<T, TOps, TVec>(ref targets, cols);
            T sum = RowwiseDriver.ExpSum<T, TOps, TVec>(ref x, max, ref gradient, cols);
            ElementwiseDriver.Run<CrossEntropyGradientOperator<T>, T, TOps, TVec>(new(T.One / sum, scale), ref gradient, ref targets, ref gradient, cols);
            return double.CreateTruncating(shifted) + (double.CreateTruncating(targetSum) * Math.Log(double.CreateTruncating(sum)));
        }
    }
}
