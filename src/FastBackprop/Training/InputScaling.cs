namespace FastBackprop.Training;

/// <summary>
/// A per-feature affine input transform <c>x′_c = (x_c − Mean_c) / Scale_c</c>, computed in double and rounded to
/// the element type: the preprocessing a model was trained with, which a checkpoint stores and
/// <see cref="InferenceModel{T}"/> applies to raw rows itself. Immutable.
/// </summary>
public sealed class InputScaling
{
    private readonly double[] _mean;
    private readonly double[] _scale;

    /// <summary>Copies the mean and the scale of each feature.</summary>
    /// <exception cref="ArgumentException">
    /// The two are empty or of different lengths, a mean is not finite, or a scale is not finite and positive.
    /// </exception>
    public InputScaling(double[] mean, double[] scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Length == 0)
        {
            throw new ArgumentException("mean is empty; a scaling covers at least one feature.", nameof(mean));
        }

        Guard.SameLength(scale.Length, mean.Length, nameof(scale), nameof(mean));
        for (int c = 0; c < mean.Length; c++)
        {
            if (!double.IsFinite(mean[c]))
            {
                throw new ArgumentException($"mean[{c}] is {mean[c]}; every mean must be finite.", nameof(mean));
            }

            if (!double.IsFinite(scale[c]) || scale[c] <= 0)
            {
                throw new ArgumentException($"scale[{c}] is {scale[c]}; every scale must be finite and positive.", nameof(scale));
            }
        }

        _mean = [.. mean];
        _scale = [.. scale];
    }

    /// <summary>
    /// The standardization of <paramref name="data"/>'s features: per feature, the mean and the population standard
    /// deviation <c>√(Σ(x − mean)² / rows)</c> over every row (two passes, so a large offset does not cancel the
    /// spread), with scale 1 for a constant feature so that it maps to 0 instead of dividing by 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows, or a feature holds a value that is not finite.</exception>
    public static InputScaling Standardize<T>(Dataset<T> data)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows == 0)
        {
            throw new ArgumentException("data has no rows; a mean and a deviation need at least one.", nameof(data));
        }

        int features = data.FeatureCount;
        ReadOnlySpan<T> x = data.Features;
        double[] mean = new double[features];
        double[] scale = new double[features];
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"data holds {v} at row {i / features}, feature {i % features}; every feature must be finite.", nameof(data));
            }

            mean[i % features] += v;
        }

        for (int c = 0; c < features; c++)
        {
            mean[c] /= data.Rows;
        }

        for (int i = 0; i < x.Length; i++)
        {
            double d = double.CreateTruncating(x[i]) - mean[i % features];
            scale[i % features] += d * d;
        }

        for (int c = 0; c < features; c++)
        {
            double deviation = Math.Sqrt(scale[c] / data.Rows);
            scale[c] = deviation > 0 && double.IsFinite(deviation) ? deviation : 1;
        }

        return new InputScaling(mean, scale);
    }

    /// <summary>Values per row the scaling covers.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>Per-feature mean subtracted from a raw value.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Per-feature divisor, finite and positive.</summary>
    public ReadOnlySpan<double> Scale => _scale;

    /// <summary>
    /// Writes <c>destination[r, c] = T((double(raw[r, c]) − Mean_c) / Scale_c)</c> for <paramref name="rows"/> rows of
    /// <see cref="FeatureCount"/> values, row-major. <paramref name="destination"/> may be <paramref name="raw"/> itself (in place).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="rows"/> is negative, a span's length is not <c>rows × FeatureCount</c>, or
    /// <paramref name="destination"/> partially overlaps <paramref name="raw"/>.
    /// </exception>
    public void Apply<T>(ReadOnlySpan<T> raw, int rows, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.SupportedType<T>();
        Guard.NonNegative(rows, nameof(rows));
        int length = Sizes.SpanLength(rows, FeatureCount, nameof(rows), nameof(FeatureCount));
        Guard.SameLength(raw.Length, length, nameof(raw), "rows × FeatureCount");
        Guard.SameLength(destination.Length, length, nameof(destination), "rows × FeatureCount");
        Guard.NoPartialOverlap(raw, destination, nameof(raw), nameof(destination));
        int features = FeatureCount;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> from = raw.Slice(r * features, features);
            Span<T> to = destination.Slice(r * features, features);
            for (int c = 0; c < features; c++)
            {
                to[c] = T.CreateTruncating((double.CreateTruncating(from[c]) - _mean[c]) / _scale[c]);
            }
        }
    }
}
