namespace FastBackprop.Training;

/// <summary>
/// A data set in memory: <c>Features[rows × FeatureCount]</c> row-major, and per row either one class index in
/// <c>[0, ClassCount)</c> (classification) or <see cref="TargetCount"/> target values in
/// <c>Targets[rows × TargetCount]</c> (regression, <see cref="HasTargets"/>), which <see cref="Trainer{T}"/> trains
/// through <see cref="Mlp{T}.ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>.
/// </summary>
/// <remarks>
/// Immutable: the constructors copy what they are given, and the properties are read-only views of those copies, so
/// neither the caller's arrays nor anyone holding the data set can change the rows after they were checked.
/// <see cref="Split"/>, <see cref="Subset"/> and <see cref="Scaled"/> return new data sets.
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Dataset<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _features;
    private readonly int[] _labels;
    private readonly T[] _targets;

    /// <summary>A classification data set: copies the features, the labels and the class names.</summary>
    /// <param name="features">Row-major <c>[rows × featureCount]</c>.</param>
    /// <param name="labels">One class index per row, each in <c>[0, classNames.Count)</c>.</param>
    /// <param name="featureCount">Values per row.</param>
    /// <param name="classNames">The name of each class index, e.g. the label text found in a CSV file.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// <c>features.Length ≠ labels.Length × featureCount</c> (taken in 64 bits), a label is outside
    /// <c>[0, classNames.Count)</c>, or a class name is null.
    /// </exception>
    public Dataset(ReadOnlySpan<T> features, ReadOnlySpan<int> labels, int featureCount, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        long expected = (long)labels.Length * featureCount;
        if (expected != features.Length)
        {
            throw new ArgumentException(
                $"features has length {features.Length} but labels.Length × featureCount = {labels.Length} × {featureCount} = {expected}; they must be equal.",
                nameof(features));
        }

        for (int r = 0; r < labels.Length; r++)
        {
            if ((uint)labels[r] >= (uint)classNames.Count)
            {
                throw new ArgumentException($"labels[{r}] is {labels[r]}; a label must lie in [0, {classNames.Count}), one per class name.", nameof(labels));
            }
        }

        for (int c = 0; c < classNames.Count; c++)
        {
            if (classNames[c] is null)
            {
                throw new ArgumentException($"classNames[{c}] is null; every class needs a name.", nameof(classNames));
            }
        }

        _features = features.ToArray();
        _labels = labels.ToArray();
        _targets = [];
        FeatureCount = featureCount;
        ClassNames = Array.AsReadOnly(classNames.ToArray());
        Rows = labels.Length;
    }

    /// <summary>A regression data set, <paramref name="targetCount"/> target values per row and no classes: copies the features and the targets.</summary>
    /// <param name="features">Row-major <c>[rows × featureCount]</c>.</param>
    /// <param name="targets">Row-major <c>[rows × targetCount]</c>: what the network's outputs should be, row by row.</param>
    /// <param name="featureCount">Values per row.</param>
    /// <param name="targetCount">Target values per row (the network's outputs).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> or <paramref name="targetCount"/> is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// <c>targets.Length</c> is not a multiple of <paramref name="targetCount"/>, or
    /// <c>features.Length ≠ rows × featureCount</c> with <c>rows = targets.Length / targetCount</c> (taken in 64 bits).
    /// </exception>
    public Dataset(ReadOnlySpan<T> features, ReadOnlySpan<T> targets, int featureCount, int targetCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        if (targets.Length % targetCount != 0)
        {
            throw new ArgumentException(
                $"targets has length {targets.Length}, not a multiple of targetCount = {targetCount}.", nameof(targets));
        }

        int rows = targets.Length / targetCount;
        long expected = (long)rows * featureCount;
        if (expected != features.Length)
        {
            throw new ArgumentException(
                $"features has length {features.Length} but rows × featureCount = {rows} × {featureCount} = {expected} (rows = targets.Length / targetCount); they must be equal.",
                nameof(features));
        }

        _features = features.ToArray();
        _labels = [];
        _targets = targets.ToArray();
        FeatureCount = featureCount;
        TargetCount = targetCount;
        ClassNames = Array.AsReadOnly(Array.Empty<string>());
        Rows = rows;
    }

    /// <summary>
    /// Takes arrays no caller can write (no copy, no checks): the new rows of <see cref="Subset"/> and
    /// <see cref="Scaled"/>, and the labels or targets <see cref="Scaled"/> shares with the data set it came from.
    /// </summary>
    private Dataset(T[] features, int[] labels, T[] targets, int featureCount, int targetCount, IReadOnlyList<string> classNames, int rows)
    {
        _features = features;
        _labels = labels;
        _targets = targets;
        FeatureCount = featureCount;
        TargetCount = targetCount;
        ClassNames = classNames;
        Rows = rows;
    }

    /// <summary>Row-major <c>[Rows × FeatureCount]</c>.</summary>
    public ReadOnlySpan<T> Features => _features;

    /// <summary>Class index of each row, <c>[Rows]</c>; empty for a regression data set.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>Regression targets, row-major <c>[Rows × TargetCount]</c>; empty for a classification data set.</summary>
    public ReadOnlySpan<T> Targets => _targets;

    /// <summary>Whether rows carry <see cref="Targets"/> (regression) rather than <see cref="Labels"/>.</summary>
    public bool HasTargets => TargetCount > 0;

    /// <summary>Target values per row; 0 for a classification data set.</summary>
    public int TargetCount { get; }

    /// <summary>Values per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Name of each class index (read-only); empty for a regression data set.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Row <paramref name="row"/>'s features.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in <c>[0, Rows)</c>.</exception>
    public ReadOnlySpan<T> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _features.AsSpan(row * FeatureCount, FeatureCount);
    }

    /// <summary>Row <paramref name="row"/>'s targets <c>[TargetCount]</c>.</summary>
    /// <exception cref="InvalidOperationException">The data set has labels, not targets.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in <c>[0, Rows)</c>.</exception>
    public ReadOnlySpan<T> TargetRow(int row)
    {
        if (!HasTargets)
        {
            throw new InvalidOperationException("this data set has class labels, not regression targets.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _targets.AsSpan(row * TargetCount, TargetCount);
    }

    /// <summary>
    /// A fixed split: the rows are permuted by <see cref="Xoshiro256"/> from <paramref name="seed"/>, the last
    /// <c>round(Rows × testFraction)</c> become the test set and the rest the training set (copies).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> leaves either part empty.</exception>
    public (Dataset<T> Train, Dataset<T> Test) Split(double testFraction, ulong seed)
    {
        int testRows = (int)Math.Round(Rows * testFraction);
        if (!(testFraction > 0 && testFraction < 1) || testRows == 0 || testRows == Rows)
        {
            throw new ArgumentOutOfRangeException(
                nameof(testFraction), testFraction, $"the split of {Rows} rows must leave both parts non-empty.");
        }

        int[] order = new int[Rows];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new Xoshiro256(seed).Shuffle(order.AsSpan());
        return (Subset(order.AsSpan(0, Rows - testRows)), Subset(order.AsSpan(Rows - testRows)));
    }

    /// <summary>The rows listed in <paramref name="rows"/>, in that order (a copy; a row may be listed more than once).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A listed row is not in <c>[0, Rows)</c>.</exception>
    /// <exception cref="ArgumentException"><c>rows.Length × FeatureCount</c> does not fit one array.</exception>
    public Dataset<T> Subset(ReadOnlySpan<int> rows)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"rows[{i}] is {rows[i]}; a row must lie in [0, {Rows}).");
            }
        }

        var features = new T[Sizes.ArrayLength(rows.Length, FeatureCount, nameof(rows), nameof(FeatureCount))];
        for (int i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(features.AsSpan(i * FeatureCount, FeatureCount));
        }

        if (HasTargets)
        {
            var targets = new T[Sizes.ArrayLength(rows.Length, TargetCount, nameof(rows), nameof(TargetCount))];
            for (int i = 0; i < rows.Length; i++)
            {
                TargetRow(rows[i]).CopyTo(targets.AsSpan(i * TargetCount, TargetCount));
            }

            return new Dataset<T>(features, [], targets, FeatureCount, TargetCount, ClassNames, rows.Length);
        }

        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            labels[i] = _labels[rows[i]];
        }

        return new Dataset<T>(features, labels, [], FeatureCount, TargetCount, ClassNames, rows.Length);
    }

    /// <summary>
    /// The same rows with every feature row mapped by <paramref name="scaling"/>
    /// (<c>x′_c = (x_c − Mean_c) / Scale_c</c>, as <see cref="InputScaling.Apply{T}"/>): a copy, with the same labels or targets.
    /// </summary>
    /// <param name="scaling">A scaling of <see cref="FeatureCount"/> features, e.g. <see cref="InputScaling.Standardize{T}"/> of the training set.</param>
    /// <exception cref="ArgumentException"><paramref name="scaling"/> covers another number of features.</exception>
    public Dataset<T> Scaled(InputScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        if (scaling.FeatureCount != FeatureCount)
        {
            throw new ArgumentException(
                $"scaling covers {scaling.FeatureCount} features but the data set has {FeatureCount} per row.", nameof(scaling));
        }

        var features = new T[_features.Length];
        scaling.Apply<T>(_features, Rows, features);
        return new Dataset<T>(features, _labels, _targets, FeatureCount, TargetCount, ClassNames, Rows);
    }
}
