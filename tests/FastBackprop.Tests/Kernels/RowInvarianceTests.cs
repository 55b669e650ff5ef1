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

    /// <summary>Every width 1..300 runs these batch sizes (a row first, in the middle and last), the sampled widths all of 1..40.</summary>
    private static readonly int[] SweepBatches = [1, 2, 3, 4, 5, 8, 13, 40];

    private static readonly int[] AllWidths = [.. Enumerable.Range(1, 300)];

    [Fact]
    public void Softmax_and_log_softmax_of_a_row_are_the_same_alone_and_at_every_position_of_every_batch()
    {
        CheckUnary<float>(Activations.Softmax);
        CheckUnary<double>(Activations.Softmax);
        CheckUnary<float>(Activations.LogSoftmax);
        CheckUnary<double>(Activations.LogSoftmax);
    }

    [Fact]
    public void Softmax_and_log_softmax_of_a_row_are_the_same_alone_and_in_batches_at_every_width_to_300()
    {
        CheckUnary<float>(Activations.Softmax, AllWidths, SweepBatches);
        CheckUnary<double>(Activations.Softmax, AllWidths, SweepBatches);
        CheckUnary<float>(Activations.LogSoftmax, AllWidths, SweepBatches);
        CheckUnary<double>(Activations.LogSoftmax, AllWidths, SweepBatches);
    }

    [Fact]
    public void Softmax_and_log_softmax_backward_of_a_row_are_the_same_alone_and_in_batches_at_every_width_to_300()
    {
        CheckBackward<float>(Activations.SoftmaxBackwardFromOutput, AllWidths, SweepBatches);
        CheckBackward<double>(Activations.SoftmaxBackwardFromOutput, AllWidths, SweepBatches);
        CheckBackward<float>(Activations.LogSoftmaxBackwardFromOutput, AllWidths, SweepBatches);
        CheckBackward<double>(Activations.LogSoftmaxBackwardFromOutput, AllWidths, SweepBatches);
    }

    [Fact]
    public void Cross_entropy_gradient_of_a_row_does_not_depend_on_its_position_neighbours_or_batch_size()
    {
        CheckCrossEntropy<float>();
        CheckCrossEntropy<double>();
    }

    private delegate void RowKernel<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y);

    private delegate void RowBackwardKernel<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int rows, int cols, Span<T> dx);

    private static void CheckUnary<T>(RowKernel<T> kernel)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        CheckUnary(kernel, Widths, [.. Enumerable.Range(1, MaxBatch)], everyPosition: true);

    private static void CheckUnary<T>(RowKernel<T> kernel, int[] widths, int[] batches, bool everyPosition = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(3);
        foreach (int cols in widths)
        {
            T[] row = Row<T>(random, cols);
            var alone = new T[cols];
            kernel(row, 1, cols, alone);
            foreach (int batch in batches)
            {
                foreach (int position in Positions(batch, everyPosition))
                {
                    T[] x = Batch(random, row, batch, position, cols);
                    var y = new T[x.Length];
                    kernel(x, batch, cols, y);
                    AssertBits(alone, y.AsSpan(position * cols, cols), $"{typeof(T).Name} {cols} columns, row {position} of {batch}");
                }
            }
        }
    }

    /// <summary>The backward's row (y, dy) alone and inside batches of random finite neighbours.</summary>
    private static void CheckBackward<T>(RowBackwardKernel<T> kernel, int[] widths, int[] batches)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(7);
        foreach (int cols in widths)
        {
            T[] y = Row<T>(random, cols);
            T[] dy = Row<T>(random, cols);
            var alone = new T[cols];
            kernel(y, dy, 1, cols, alone);
            foreach (int batch in batches)
            {
                foreach (int position in Positions(batch, everyPosition: batch <= 8))
                {
                    T[] ys = Batch(random, y, batch, position, cols, finiteOnly: true);
                    T[] dys = Batch(random, dy, batch, position, cols, finiteOnly: true);
                    var dx = new T[ys.Length];
                    kernel(ys, dys, batch, cols, dx);
                    AssertBits(alone, dx.AsSpan(position * cols, cols), $"{typeof(T).Name} {cols} columns, row {position} of {batch}");
                }
            }
        }
    }

    private static IEnumerable<int> Positions(int batch, bool everyPosition) =>
        everyPosition ? Enumerable.Range(0, batch) : new[] { 0, batch / 2, batch - 1 }.Distinct();

    private static void CheckCrossEntropy<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(5);
        foreach (int cols in Widths)
        {
            T[] row = Row<T>(random, cols);
            int label = cols / 2;
            var alone = new T[cols];
            Losses.SoftmaxCrossEntropy<T>(row, [label], 1, cols, alone);
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
                    if (int.IsPow2(batch))
                    {
                        // The gradient is the mean over rows: scaled by 1/batch, exact for a power of two, so it is the
                        // row's gradient alone divided by the batch, bit for bit.
                        T[] unscaled = [.. mine.Select(g => g * T.CreateTruncating(batch))];
                        AssertBits(alone, unscaled, $"{typeof(T).Name} {cols} columns, row {position} of {batch}, times {batch}");
                    }
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
            // Equals holds for +0 and −0, so the signs are compared too; the message is built only for a failure.
            bool same = expected[i].Equals(actual[i]) && T.IsNegative(expected[i]) == T.IsNegative(actual[i]);
            if (!same && !(T.IsNaN(expected[i]) && T.IsNaN(actual[i])))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, alone {expected[i]}");
            }
        }
    }
}
