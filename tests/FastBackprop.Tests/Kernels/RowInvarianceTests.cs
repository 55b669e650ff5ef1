namespace FastBackprop.Tests.Kernels;

/// <summary>
/// Row invariance of the row-wise kernels: a row's output bits depend on that row only — not on the batch size, its
/// position in the batch, or its neighbours (finite or not). On AVX-512, rows of at most one vector run four at a
/// time; these tests pin that a row alone, in the last partial group, or beside a non-finite row gets the same bits.
/// </summary>
public sealed class RowInvarianceTests
{
    private static readonly int[] Widths = [1, 2, 3, 5, 8, 10, 15, 16, 17, 31, 64, 100, 300];

    private const int MaxBatch = 40;

    [Fact]
    public void Softmax_and_log_softmax_of_a_row_are_the_same_alone_and_at_every_position_of_every_batch()
    {
        CheckUnary<float>(Softmax.Forward);
        CheckUnary<double>(Softmax.Forward);
        CheckUnary<float>(Softmax.LogForward);
        CheckUnary<double>(Softmax.LogForward);
    }

    [Fact]
    public void Cross_entropy_gradient_of_a_row_does_not_depend_on_its_position_or_neighbours_in_a_batch_of_any_size()
    {
        CheckCrossEntropy<float>();
        CheckCrossEntropy<double>();
    }

    private delegate void RowKernel<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y);

    private static void CheckUnary<T>(RowKernel<T> kernel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(3);
        foreach (int cols in Widths)
        {
            T[] row = Row<T>(random, cols);
            var alone = new T[cols];
            kernel(row, 1, cols, alone);
            for (int batch = 1; batch <= MaxBatch; batch++)
            {
                for (int position = 0; position < batch; position++)
                {
                    T[] x = Batch(random, row, batch, position, cols);
                    var y = new T[x.Length];
                    kernel(x, batch, cols, y);
                    AssertBits(alone, y.AsSpan(position * cols, cols), $"{typeof(T).Name} {cols} columns, row {position} of {batch}");
                }
            }
        }
    }

    private static void CheckCrossEntropy<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(5);
        foreach (int cols in Widths)
        {
            T[] row = Row<T>(random, cols);
            int label = cols / 2;
            for (int batch = 1; batch <= MaxBatch; batch++)
            {
                T[]? first = null;
                for (int position = 0; position < batch; position++)
                {
                    T[] x = Batch(random, row, batch, position, cols, finiteOnly: true);
                    int[] labels = [.. Enumerable.Range(0, batch).Select(r => r == position ? label : random.Next(cols))];
                    var gradient = new T[x.Length];
                    Losses.SoftmaxCrossEntropy<T>(x, labels, batch, cols, gradient);
                    T[] mine = gradient.AsSpan(position * cols, cols).ToArray();
                    first ??= mine;
                    AssertBits(first, mine, $"{typeof(T).Name} {cols} columns, row {position} of {batch}");
                }
            }
        }
    }

    private static T[] Row<T>(Random random, int cols)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. Enumerable.Range(0, cols).Select(_ => T.CreateTruncating((random.NextDouble() * 16) - 8))];

    /// <summary>
    /// <paramref name="batch"/> rows with <paramref name="row"/> at <paramref name="position"/>, random others; unless
    /// <paramref name="finiteOnly"/>, some neighbours hold +∞, NaN or only −∞ (rows the four-row driver cannot take).
    /// </summary>
    private static T[] Batch<T>(Random random, T[] row, int batch, int position, int cols, bool finiteOnly = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = new T[batch * cols];
        for (int r = 0; r < batch; r++)
        {
            Span<T> target = x.AsSpan(r * cols, cols);
            if (r == position)
            {
                row.CopyTo(target);
                continue;
            }

            Row<T>(random, cols).CopyTo(target);
            switch (finiteOnly ? 0 : random.Next(6))
            {
                case 1:
                    target[random.Next(cols)] = T.PositiveInfinity;
                    break;
                case 2:
                    target[random.Next(cols)] = T.NaN;
                    break;
                case 3:
                    target.Fill(T.NegativeInfinity);
                    break;
            }
        }

        return x;
    }

    private static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                expected[i].Equals(actual[i]) || (T.IsNaN(expected[i]) && T.IsNaN(actual[i])),
                $"{what}: element {i} is {actual[i]}, alone {expected[i]}");
        }
    }
}
