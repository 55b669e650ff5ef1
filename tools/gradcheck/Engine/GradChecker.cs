namespace FastBackprop.GradCheck.Engine;

/// <summary>
/// Checks one case on the SIMD path this process runs: the analytic backward, as a vector-Jacobian product with a
/// random upstream gradient G, against central differences of the scalar objective ⟨G, f(x)⟩ taken on the double
/// forward; plus reentrancy, zero upstream, and the float forward's error in ULPs.
/// </summary>
public static class GradChecker
{
    /// <summary>2⁻⁵³, half a ULP of 1 in double.</summary>
    private const double DoubleUnitRoundoff = 1.1102230246251565e-16;

    /// <summary>One result per dtype the settings ask for.</summary>
    public static IReadOnlyList<CheckResult> Run(CheckCase check, CheckSettings settings)
    {
        double epsilon = check.Epsilon ?? settings.Epsilon;
        bool fast = settings.Fast || check.AlwaysFast;
        var random = new Random(Seeds.For(settings.Seed, check.Kernel) ^ 0x5EED);

        // Inputs and G are floats widened to double, so the float and double kernels see the same point.
        double[][] x = [.. check.Inputs.Select(t => t.Values.Select(v => (double)(float)v).ToArray())];
        bool[] differentiable = [.. check.Inputs.Select(t => t.Differentiable)];
        var results = new List<CheckResult>(2);
        Numeric numeric;
        double[] upstream = new double[check.OutputLength];
        try
        {
            double[] y = new double[check.OutputLength];
            check.Op.Forward<double>(x, y);

            // An infinite output has no finite neighbourhood to difference: it gets no weight in the objective.
            for (int j = 0; j < upstream.Length; j++)
            {
                upstream[j] = double.IsFinite(y[j]) ? (float)((2 * random.NextDouble()) - 1) : 0;
            }

            Action<IReadOnlyList<double[]>, double[]> reference = check.Reference ?? check.Op.Forward<double>;
            numeric = fast
                ? Directional(reference, x, differentiable, upstream, epsilon, random)
                : Jacobian(reference, x, differentiable, upstream, epsilon);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            numeric = new Numeric(null, null, null, 0, 0) { Error = $"double forward threw {exception.GetType().Name}: {exception.Message}" };
        }

        if (settings.CheckDouble)
        {
            results.Add(Compare<double>(check, settings.DoubleTolerance, x, differentiable, upstream, numeric, epsilon));
        }

        if (settings.CheckFloat)
        {
            results.Add(Compare<float>(check, new Tolerance(settings.FloatAtol ?? check.FloatTolerance.Atol, settings.FloatRtol ?? check.FloatTolerance.Rtol), x, differentiable, upstream, numeric, epsilon));
        }

        return results;
    }

    /// <summary>
    /// The numeric side: per element (Jacobian mode) or one directional value (directional mode), each with the
    /// rounding noise its differences carry.
    /// </summary>
    private sealed record Numeric(double[]?[]? Gradient, double[]?[]? Noise, double[]?[]? Direction, double Directional, double DirectionalNoise)
    {
        public string? Error { get; init; }
    }

    /// <summary>nᵢ = Σⱼ Gⱼ·(fⱼ(x + εeᵢ) − fⱼ(x − εeᵢ)) / 2ε for every finite element of every differentiable input.</summary>
    private static Numeric Jacobian(
        Action<IReadOnlyList<double[]>, double[]> forward, double[][] x, bool[] differentiable, double[] upstream, double epsilon)
    {
        var gradient = new double[]?[x.Length];
        var noise = new double[]?[x.Length];
        double[] plus = new double[upstream.Length];
        double[] minus = new double[upstream.Length];
        for (int k = 0; k < x.Length; k++)
        {
            if (!differentiable[k])
            {
                continue;
            }

            gradient[k] = new double[x[k].Length];
            noise[k] = new double[x[k].Length];
            for (int i = 0; i < x[k].Length; i++)
            {
                double saved = x[k][i];
                if (!double.IsFinite(saved))
                {
                    // ±∞ ± ε is ±∞: the input is a constant here, and its gradient's limit must be 0.
                    continue;
                }

                x[k][i] = saved + epsilon;
                forward(x, plus);
                x[k][i] = saved - epsilon;
                forward(x, minus);
                x[k][i] = saved;
                (gradient[k]![i], noise[k]![i]) = Difference(plus, minus, upstream, epsilon);
            }
        }

        return new Numeric(gradient, noise, null, 0, 0);
    }

    /// <summary>vᵀ(J·u) ≈ ⟨G, f(x + εu) − f(x − εu)⟩ / 2ε for one random ±1 direction u over all differentiable inputs.</summary>
    private static Numeric Directional(
        Action<IReadOnlyList<double[]>, double[]> forward, double[][] x, bool[] differentiable, double[] upstream, double epsilon, Random random)
    {
        var direction = new double[]?[x.Length];
        double[][] shifted = [.. x.Select(t => (double[])t.Clone())];
        double[] plus = new double[upstream.Length];
        double[] minus = new double[upstream.Length];
        for (int k = 0; k < x.Length; k++)
        {
            if (differentiable[k])
            {
                direction[k] = [.. x[k].Select(v => double.IsFinite(v) ? (random.Next(2) == 0 ? -1.0 : 1.0) : 0)];
            }
        }

        foreach (double sign in (ReadOnlySpan<double>)[1, -1])
        {
            for (int k = 0; k < x.Length; k++)
            {
                for (int i = 0; direction[k] is { } u && i < u.Length; i++)
                {
                    shifted[k][i] = x[k][i] + (sign * epsilon * u[i]);
                }
            }

            forward(shifted, sign > 0 ? plus : minus);
        }

        (double value, double noise) = Difference(plus, minus, upstream, epsilon);
        return new Numeric(null, null, direction, value, noise);
    }

    /// <summary>
    /// Σⱼ Gⱼ·(f⁺ⱼ − f⁻ⱼ) / 2ε, differencing each output first so that outputs the step leaves unchanged (and equal
    /// infinities) add exactly 0, with the noise bound NoiseUlps·2⁻⁵³·Σ|Gⱼ|·max|f±ⱼ| / ε over the changed ones.
    /// </summary>
    private static (double Value, double Noise) Difference(double[] plus, double[] minus, double[] upstream, double epsilon)
    {
        double sum = 0;
        double magnitude = 0;
        for (int j = 0; j < upstream.Length; j++)
        {
            if (plus[j] != minus[j] && upstream[j] != 0)
            {
                sum += upstream[j] * (plus[j] - minus[j]);
                magnitude += Math.Abs(upstream[j]) * Math.Max(Math.Abs(plus[j]), Math.Abs(minus[j]));
            }
        }

        return (sum / (2 * epsilon), Tolerances.NoiseUlps * DoubleUnitRoundoff * magnitude / epsilon);
    }

    /// <summary>Runs the op in <typeparamref name="T"/> and compares its gradients with the numeric side.</summary>
    private static CheckResult Compare<T>(
        CheckCase check, Tolerance tolerance, double[][] x, bool[] differentiable, double[] upstream, Numeric numeric, double epsilon)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new CheckResult
        {
            Kernel = check.Kernel,
            Group = check.Group,
            Dtype = typeof(T) == typeof(float) ? "float" : "double",
            Path = SimdInfo.ActivePathName,
            Mode = numeric.Direction is null ? "jacobian" : "directional",
            Atol = tolerance.Atol,
            Rtol = tolerance.Rtol,
            Epsilon = epsilon,
            ForwardUlpLimit = typeof(T) == typeof(float) ? check.ForwardUlpLimit : null,
            Note = check.Note,
        };
        if (numeric.Error is not null)
        {
            return result with { Passed = false, Reason = numeric.Error };
        }

        T[][] inputs = [.. x.Select(Convert<T>)];
        T[] g = Convert<T>(upstream);
        T[] output = new T[check.OutputLength];
        T[]?[] first;
        T[]?[] second;
        T[]?[] fromZero;
        try
        {
            check.Op.Forward<T>(inputs, output);
            first = Backward(check.Op, inputs, output, g, differentiable);
            second = Backward(check.Op, inputs, output, g, differentiable);
            fromZero = Backward(check.Op, inputs, output, new T[g.Length], differentiable);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return result with { Passed = false, Reason = $"{result.Dtype} kernel threw {exception.GetType().Name}: {exception.Message}" };
        }

        var reasons = new List<string>();
        if (typeof(T) == typeof(float))
        {
            double[] y = new double[check.OutputLength];
            check.Op.Forward<double>(x, y);
            double largest = check.ForwardUlpOfLargest ? y.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max() : 0;
            double ulp = 0;
            for (int j = 0; j < y.Length; j++)
            {
                float actual = float.CreateTruncating(output[j]);
                ulp = Math.Max(ulp, check.ForwardUlpOfLargest ? Math.Abs(actual - y[j]) / Ulp.Spacing((float)largest) : Ulp.Error(actual, y[j]));
            }

            result = result with { ForwardUlp = ulp };
            if (check.ForwardUlpLimit is { } limit && !(ulp <= limit))
            {
                reasons.Add(FormattableString.Invariant($"forward {ulp:G3} ULP > {limit}"));
            }
        }

        bool reentrant = first.Zip(second).All(pair => pair.First is null || BitIdentical<T>(pair.First, pair.Second!));
        bool zeroUpstream = fromZero.All(gradient => gradient is null || gradient.All(T.IsZero));
        if (!reentrant)
        {
            reasons.Add("backward twice differs");
        }

        if (!zeroUpstream)
        {
            reasons.Add("zero upstream gives a nonzero gradient");
        }

        var errors = new ErrorStats();
        if (numeric.Direction is { } direction)
        {
            double analytic = 0;
            double squares = 0;
            for (int k = 0; k < first.Length; k++)
            {
                for (int i = 0; first[k] is { } gradient && i < gradient.Length; i++)
                {
                    double a = double.CreateTruncating(gradient[i]);
                    analytic += a * direction[k]![i];
                    squares += a * a;
                }
            }

            // The directional value is a sum of ±aᵢ: rounding errors of the aᵢ add up like ‖a‖₂, not like |Σ ±aᵢ|.
            double n = numeric.Directional;
            errors.Add(analytic, n, tolerance.Atol + (tolerance.Rtol * (Math.Abs(n) + Math.Sqrt(squares))) + numeric.DirectionalNoise);
        }
        else
        {
            for (int k = 0; k < first.Length; k++)
            {
                for (int i = 0; first[k] is { } gradient && i < gradient.Length; i++)
                {
                    double n = numeric.Gradient![k]![i];
                    errors.Add(double.CreateTruncating(gradient[i]), n, tolerance.Atol + (tolerance.Rtol * Math.Abs(n)) + numeric.Noise![k]![i]);
                }
            }
        }

        if (errors.Failed > 0)
        {
            reasons.Insert(0, FormattableString.Invariant($"{errors.Failed} of {errors.Count} gradient values outside tolerance"));
        }

        return result with
        {
            Compared = errors.Count,
            MaxAbs = errors.MaxAbs,
            MaxRel = errors.MaxRel,
            Worst = errors.Worst,
            Reentrant = reentrant,
            ZeroUpstream = zeroUpstream,
            Passed = reasons.Count == 0,
            Reason = string.Join("; ", reasons),
        };
    }

    /// <summary>Gradient buffers prefilled with NaN, so an element the backward never writes fails the check.</summary>
    private static T[]?[] Backward<T>(GradOp op, T[][] inputs, T[] output, T[] upstream, bool[] differentiable)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var gradients = new T[]?[inputs.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            if (differentiable[k])
            {
                gradients[k] = new T[inputs[k].Length];
                Array.Fill(gradients[k]!, T.NaN);
            }
        }

        op.Backward(inputs, output, upstream, gradients);
        return gradients;
    }

    private static bool BitIdentical<T>(T[] first, T[] second)
        where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(first.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(second.AsSpan()));

    private static T[] Convert<T>(double[] values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        [.. values.Select(T.CreateTruncating)];

    private sealed class ErrorStats
    {
        public int Count { get; private set; }

        public int Failed { get; private set; }

        public double MaxAbs { get; private set; }

        public double MaxRel { get; private set; }

        public double Worst { get; private set; }

        /// <summary>A NaN on either side fails and makes every statistic NaN.</summary>
        public void Add(double analytic, double numeric, double tolerance)
        {
            double error = Math.Abs(analytic - numeric);
            Count++;
            if (!(error <= tolerance))
            {
                Failed++;
            }

            MaxAbs = Max(MaxAbs, error);
            if (numeric != 0 || double.IsNaN(error))
            {
                MaxRel = Max(MaxRel, error / Math.Abs(numeric));
            }

            Worst = Max(Worst, tolerance > 0 ? error / tolerance : (error == 0 ? 0 : double.PositiveInfinity));
        }

        private static double Max(double current, double value) => double.IsNaN(current) || double.IsNaN(value) ? double.NaN : Math.Max(current, value);
    }
}
