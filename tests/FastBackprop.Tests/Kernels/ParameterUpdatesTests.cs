using FastBackprop.Tests.Support;

namespace FastBackprop.Tests.Kernels;

/// <summary>
/// The vectorized optimizer steps against <see cref="UpdateReference{T}"/>, element by element and bit for bit, on
/// the path this run is on (CI runs the suite once per path): every length 0..300 at offsets 0, 1 and 3 inside
/// longer arrays, so every width's whole vectors, overlapping last vector and scalar tail are seen, with specials
/// (±0, subnormals, ±∞, NaN, extremes) injected into g, θ and the state.
/// </summary>
public class ParameterUpdatesTests
{
    private const double LearningRate = 0.01;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;
    private const long Step = 3;
    private static readonly int[] Offsets = [0, 1, 3];

    public static TheoryData<double> Decays => [1.0, 1 - (LearningRate * 0.1)];

    [Theory]
    [MemberData(nameof(Decays))]
    public void Sgd_equals_the_scalar_rule_for_every_element_at_every_length_and_offset(double decay)
    {
        Check<float>(decay, Rule.Sgd);
        Check<double>(decay, Rule.Sgd);
    }

    [Theory]
    [MemberData(nameof(Decays))]
    public void Momentum_equals_the_scalar_rule_for_every_element_at_every_length_and_offset(double decay)
    {
        Check<float>(decay, Rule.Momentum);
        Check<double>(decay, Rule.Momentum);
    }

    [Theory]
    [MemberData(nameof(Decays))]
    public void Adam_equals_the_scalar_loop_bit_for_bit_at_every_length_and_offset(double decay)
    {
        Check<float>(decay, Rule.Adam);
        Check<double>(decay, Rule.Adam);
    }

    /// <summary>
    /// A weight whose gradient stays zero (a dead ReLU unit's) has a state that decays by μ or β each step: it must go
    /// from normal straight to zero, never through the subnormals, which cost Intel cores a microcode assist per
    /// vector. Over 17 lanes, so the tail's path runs too.
    /// </summary>
    [Fact]
    public void Decaying_state_of_a_zero_gradient_goes_to_zero_without_becoming_subnormal()
    {
        DecaysWithoutSubnormals<float>(1e-30);
        DecaysWithoutSubnormals<double>(1e-300);
    }

    private static void DecaysWithoutSubnormals<T>(double start)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Lanes = 17;
        T[] g = new T[Lanes];
        T[] theta = [.. Enumerable.Repeat(T.One, Lanes)];
        T[] velocity = [.. Enumerable.Repeat(T.CreateTruncating(start), Lanes)];
        T[] m = [.. Enumerable.Repeat(T.CreateTruncating(start), Lanes)];
        T[] v = [.. Enumerable.Repeat(T.CreateTruncating(start), Lanes)];
        T[] theta2 = [.. theta];
        int step = 1;
        for (; step <= 20_000 && !(velocity.All(T.IsZero) && m.All(T.IsZero) && v.All(T.IsZero)); step++)
        {
            ParameterUpdates.Momentum(T.CreateTruncating(LearningRate), T.CreateTruncating(0.9), T.One, g, theta, velocity);
            ParameterUpdates.Adam(AdamCoefficients<T>.ForStep(LearningRate, Beta1, Beta2, Epsilon, step), T.One, g, theta2, m, v);
            string at = $"{typeof(T).Name} step {step}";
            Assert.False(velocity.Any(T.IsSubnormal), $"{at}: subnormal velocity {velocity[0]}");
            Assert.False(m.Any(T.IsSubnormal), $"{at}: subnormal first moment {m[0]}");
            Assert.False(v.Any(T.IsSubnormal), $"{at}: subnormal second moment {v[0]}");
        }

        Assert.True(velocity.All(T.IsZero) && m.All(T.IsZero) && v.All(T.IsZero), $"{typeof(T).Name}: the state had not reached zero after {step - 1} steps");
    }

    /// <summary>α and c₁ rounded to T and multiplied there, as the scalar loop did: not α·c₁ rounded once.</summary>
    [Fact]
    public void Adam_coefficients_are_the_scalar_loops_constants()
    {
        foreach (double rate in new[] { 0.01, 0.05, 0.003, 1e-4 })
        {
            foreach (long t in new long[] { 1, 2, 3, 10, 1000 })
            {
                Assert.Equal(
                    new AdamCoefficients<float>(
                        0.9f, (float)(1 - Beta1), 0.999f, (float)(1 - Beta2), (float)rate * (float)(1 / (1 - Math.Pow(Beta1, t))),
                        (float)(1 / (1 - Math.Pow(Beta2, t))), 1e-8f),
                    AdamCoefficients<float>.ForStep(rate, Beta1, Beta2, Epsilon, t));
            }
        }
    }

    [Fact]
    public void Mismatched_or_overlapping_spans_throw_naming_the_span_and_write_nothing()
    {
        float[] theta = Enumerable.Repeat(7f, 12).ToArray();
        float[] state = Enumerable.Repeat(5f, 12).ToArray();
        float[] g = new float[12];
        AdamCoefficients<float> c = AdamCoefficients<float>.ForStep(LearningRate, Beta1, Beta2, Epsilon, 1);
        AssertRejects("parameters", () => ParameterUpdates.Sgd(0.1f, 1f, g, theta.AsSpan(0, 11)));
        AssertRejects("parameters", () => ParameterUpdates.Sgd(0.1f, 1f, theta.AsSpan(0, 6), theta.AsSpan(3, 6)));
        AssertRejects("velocity", () => ParameterUpdates.Momentum(0.1f, 0.9f, 1f, g, theta, state.AsSpan(0, 11)));
        AssertRejects("velocity", () => ParameterUpdates.Momentum(0.1f, 0.9f, 1f, g, theta, theta));
        AssertRejects("secondMoment", () => ParameterUpdates.Adam(c, 1f, g, theta, state, new float[13]));
        AssertRejects("secondMoment", () => ParameterUpdates.Adam(c, 1f, g, theta, state, state));
        AssertRejects("firstMoment", () => ParameterUpdates.Adam(c, 1f, g, theta, g, new float[12]));
        Assert.All(theta, v => Assert.Equal(7f, v));
        Assert.All(state, v => Assert.Equal(5f, v));
    }

    private enum Rule
    {
        Sgd,
        Momentum,
        Adam,
    }

    private static void Check<T>(double decayValue, Rule rule)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T alpha = T.CreateTruncating(LearningRate);
        T mu = T.CreateTruncating(0.9);
        T decay = T.CreateTruncating(decayValue);
        AdamCoefficients<T> adam = AdamCoefficients<T>.ForStep(LearningRate, Beta1, Beta2, Epsilon, Step);
        T[] specials = typeof(T) == typeof(float)
            ? [.. Inputs.FloatSpecials.Select(T.CreateTruncating)]
            : [.. Inputs.DoubleSpecials.Select(T.CreateTruncating)];
        foreach (int n in Inputs.AllLengths)
        {
            foreach (int offset in Offsets)
            {
                int total = offset + n + 3;
                T[] g = Inputs.Uniform<T>(total, -2, 2, n);
                T[] theta = Inputs.Uniform<T>(total, -1, 1, n + 1);
                T[] m = Inputs.Uniform<T>(total, -0.5, 0.5, n + 2);
                T[] v = Inputs.Uniform<T>(total, 0, 1, n + 3);
                for (int i = offset + (n % 5); i < offset + n; i += 7)
                {
                    T[] target = (i % 3) switch { 0 => g, 1 => theta, _ => m };
                    target[i] = specials[(i + n) % specials.Length];
                }

                T[] g0 = (T[])g.Clone(), theta0 = (T[])theta.Clone(), m0 = (T[])m.Clone(), v0 = (T[])v.Clone();
                Span<T> gs = g.AsSpan(offset, n), thetas = theta.AsSpan(offset, n), ms = m.AsSpan(offset, n), vs = v.AsSpan(offset, n);
                switch (rule)
                {
                    case Rule.Sgd:
                        ParameterUpdates.Sgd(alpha, decay, gs, thetas);
                        break;
                    case Rule.Momentum:
                        ParameterUpdates.Momentum(alpha, mu, decay, gs, thetas, ms);
                        break;
                    default:
                        ParameterUpdates.Adam(adam, decay, gs, thetas, ms, vs);
                        break;
                }

                for (int i = 0; i < total; i++)
                {
                    T expectedM = m0[i], expectedV = v0[i], expectedTheta = theta0[i];
                    if (i >= offset && i < offset + n)
                    {
                        expectedTheta = rule switch
                        {
                            Rule.Sgd => UpdateReference<T>.Sgd(alpha, decay, g0[i], theta0[i]),
                            Rule.Momentum => UpdateReference<T>.Momentum(alpha, mu, decay, g0[i], theta0[i], ref expectedM),
                            _ => UpdateReference<T>.Adam(LearningRate, Beta1, Beta2, Epsilon, Step, decay, g0[i], theta0[i], ref expectedM, ref expectedV),
                        };
                    }

                    string at = $"{typeof(T).Name} {rule} n {n} offset {offset} element {i}";
                    Assert.True(UpdateReference<T>.Same(expectedTheta, theta[i]), $"{at}: θ {theta[i]}, expected {expectedTheta}");
                    Assert.True(UpdateReference<T>.Same(expectedM, m[i]), $"{at}: first state {m[i]}, expected {expectedM}");
                    Assert.True(UpdateReference<T>.Same(expectedV, v[i]), $"{at}: second state {v[i]}, expected {expectedV}");
                    Assert.True(UpdateReference<T>.Same(g0[i], g[i]), $"{at}: the gradient changed");
                }
            }
        }
    }

    private static void AssertRejects(string parameter, Action call) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentException>(call).ParamName);
}
