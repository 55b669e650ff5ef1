namespace FastBackprop.Tests.Kernels;

/// <summary>
/// Element invariance of the element-wise kernels: an element's output bits depend on its own inputs and the path
/// only — not on the span's length, its offset, or the element's position. Every sub-span (offsets 0..63, lengths
/// 0..300) of one buffer must reproduce, bit for bit, what the whole buffer gave for its elements. On AVX-512 a span
/// shorter than one vector once ran the Vector256 algorithm (another exp, other bits for sigmoid, tanh, ELU,
/// softplus and what is built on them); this is the test that saw it.
/// </summary>
public sealed class ElementInvarianceTests
{
    private const int MaxOffset = 63;
    private const int MaxLength = 300;
    private const int BufferLength = MaxOffset + MaxLength + 1;

    /// <summary>An element-wise kernel of one or two inputs (unary kernels ignore <c>b</c>) into <c>destination</c>.</summary>
    public delegate void ElementKernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination);

    public sealed record Case(string Name, ElementKernel<float> Float, ElementKernel<double> Double)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Cases => All.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_element_has_the_same_bits_at_every_span_length_and_offset(Case kernel)
    {
        Check(kernel.Float, seed: 11);
        Check(kernel.Double, seed: 13);
    }

    [Fact]
    public void In_place_short_spans_give_the_bits_of_the_whole_buffer()
    {
        // A short span is computed in a local vector and copied back: in place, the copy-in must read the inputs
        // before the copy-out overwrites them.
        float[] x = Inputs<float>(new Random(17));
        var whole = new float[x.Length];
        Activations.Sigmoid<float>(x, whole);
        for (int length = 0; length <= 40; length++)
        {
            float[] span = x.AsSpan(3, length).ToArray();
            Activations.Sigmoid<float>(span, span);
            AssertBits<float>(whole.AsSpan(3, length), span, $"in-place sigmoid, length {length}");
        }
    }

    /// <summary>
    /// The binary cross-entropy gradient is scaled by 1/n, so its bits depend on n by definition: for each length
    /// the gradient must follow its element when the span is rotated and moved to another offset.
    /// </summary>
    [Fact]
    public void Binary_cross_entropy_gradient_follows_its_element_at_every_length_and_position()
    {
        CheckRotations<float>(seed: 19);
        CheckRotations<double>(seed: 23);
    }

    private static IReadOnlyList<Case> All { get; } = BuildCases();

    private static List<Case> BuildCases()
    {
        var cases = new List<Case>();
        foreach (ActivationCase activation in ActivationCases.All)
        {
            cases.Add(new(
                $"{activation.Name} forward",
                (a, _, d) => activation.ForwardFloat(a, d),
                (a, _, d) => activation.ForwardDouble(a, d)));
            cases.Add(new($"{activation.Name} backward", activation.BackwardFloat, activation.BackwardDouble));
        }

        foreach (Activation activation in ActivationInfo.All.Where(i => i.SupportsBackwardFromOutput(i.DefaultAlpha)).Select(i => i.Default))
        {
            cases.Add(new(
                $"{activation.Kind} backward from output",
                (y, dy, dx) => Activations.BackwardFromOutput(activation, y, dy, dx),
                (y, dy, dx) => Activations.BackwardFromOutput(activation, y, dy, dx)));
        }

        cases.Add(new("Axpy", Axpy, Axpy));
        cases.Add(new("Scale", Scale, Scale));
        cases.Add(new("squared error gradient", SquaredErrorGradient, SquaredErrorGradient));
        cases.Add(new("SGD step", Sgd, Sgd));
        cases.Add(new("momentum step", Momentum, Momentum));
        cases.Add(new("Adam step", Adam, Adam));
        return cases;
    }

    private static void Check<T>(ElementKernel<T> kernel, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        T[] a = Inputs<T>(random);
        T[] b = Inputs<T>(random);
        var whole = new T[BufferLength];
        kernel(a, b, whole);
        var destination = new T[MaxLength + 1];
        for (int offset = 0; offset <= MaxOffset; offset++)
        {
            for (int length = 0; length <= MaxLength; length++)
            {
                destination.AsSpan().Fill(T.CreateTruncating(-12345.0));
                kernel(a.AsSpan(offset, length), b.AsSpan(offset, length), destination.AsSpan(0, length));
                if (!SameBits<T>(whole.AsSpan(offset, length), destination.AsSpan(0, length), out int at))
                {
                    Assert.Fail($"{typeof(T).Name}, offset {offset}, length {length}: element {at} is {destination[at]}, in the whole buffer {whole[offset + at]}");
                }

                Assert.Equal(T.CreateTruncating(-12345.0), destination[length]);
            }
        }
    }

    private static void CheckRotations<T>(int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        T[] logits = Inputs<T>(random);
        T[] targets = [.. Enumerable.Range(0, BufferLength).Select(_ => T.CreateTruncating(random.NextDouble()))];
        for (int length = 1; length <= MaxLength; length++)
        {
            var first = new T[length];
            Losses.SigmoidCrossEntropy<T>(logits.AsSpan(0, length), targets.AsSpan(0, length), first);
            foreach (int shift in new[] { 1, length / 2, length - 1 })
            {
                int offset = (length + shift) % (MaxOffset + 1);
                T[] rotatedLogits = Rotate(logits.AsSpan(0, length), shift);
                T[] rotatedTargets = Rotate(targets.AsSpan(0, length), shift);
                var x = new T[offset + length];
                var t = new T[offset + length];
                rotatedLogits.CopyTo(x, offset);
                rotatedTargets.CopyTo(t, offset);
                var gradient = new T[length];
                Losses.SigmoidCrossEntropy<T>(x.AsSpan(offset), t.AsSpan(offset), gradient);
                AssertBits<T>(Rotate(first, shift), gradient, $"{typeof(T).Name} length {length}, rotated by {shift}, offset {offset}");
            }
        }
    }

    /// <summary>Element i of the result is element (i + shift) mod n of <paramref name="values"/>.</summary>
    private static T[] Rotate<T>(ReadOnlySpan<T> values, int shift) =>
        [.. values[(shift % values.Length)..], .. values[..(shift % values.Length)]];

    /// <summary>Values across every region the ops treat apart: saturation, the subnormal and overflow edges, specials.</summary>
    private static T[] Inputs<T>(Random random)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] specials =
        [
            T.Zero, T.NegativeZero, T.PositiveInfinity, T.NegativeInfinity, T.NaN, T.Epsilon, -T.Epsilon,
            T.CreateTruncating(88.7), T.CreateTruncating(-103.9), T.CreateTruncating(709.9), T.CreateTruncating(-745.0),
            T.CreateTruncating(1e-30), T.CreateTruncating(-20.0), T.CreateTruncating(20.0),
        ];
        var values = new T[BufferLength];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(8) == 0
                ? specials[random.Next(specials.Length)]
                : T.CreateTruncating((random.NextDouble() * 40) - 20);
        }

        return values;
    }

    private static void Axpy<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        y.CopyTo(destination);
        Linear.Axpy(T.CreateTruncating(-0.3), x, destination);
    }

    private static void Scale<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        x.CopyTo(destination);
        Linear.Scale(T.CreateTruncating(0.7), destination);
    }

    private static void SquaredErrorGradient<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Losses.SquaredErrorSum(prediction, target, gradient);

    // The updates rewrite parameters (and state) in place: the destination starts as a copy of the parameters (b), the
    // state as a fixed function of them, and the destination's new parameters are what is compared.
    private static void Sgd<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameters, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        parameters.CopyTo(destination);
        ParameterUpdates.Sgd(T.CreateTruncating(0.01), T.CreateTruncating(0.999), gradient, destination);
    }

    private static void Momentum<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameters, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        parameters.CopyTo(destination);
        T[] velocity = Map(gradient, g => g * T.CreateTruncating(0.5));
        ParameterUpdates.Momentum(T.CreateTruncating(0.01), T.CreateTruncating(0.9), T.One, gradient, destination, velocity);
    }

    private static void Adam<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> parameters, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        parameters.CopyTo(destination);
        T[] first = Map(gradient, g => g * T.CreateTruncating(0.1));
        T[] second = Map(gradient, g => g * g);
        ParameterUpdates.Adam(AdamCoefficients<T>.ForStep(0.001, 0.9, 0.999, 1e-8, 3), T.One, gradient, destination, first, second);
    }

    /// <summary>A state vector that is a function of each element's own gradient.</summary>
    private static T[] Map<T>(ReadOnlySpan<T> gradient, Func<T, T> state)
    {
        var result = new T[gradient.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = state(gradient[i]);
        }

        return result;
    }

    private static bool SameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, out int at)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (at = 0; at < expected.Length; at++)
        {
            // Equals holds for +0 and −0, so the signs are compared too; NaN payloads are not part of the contract.
            bool same = expected[at].Equals(actual[at]) && T.IsNegative(expected[at]) == T.IsNegative(actual[at]);
            if (!same && !(T.IsNaN(expected[at]) && T.IsNaN(actual[at])))
            {
                return false;
            }
        }

        return true;
    }

    private static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!SameBits(expected, actual, out int at))
        {
            Assert.Fail($"{what}: element {at} is {actual[at]}, expected {expected[at]}");
        }
    }
}
