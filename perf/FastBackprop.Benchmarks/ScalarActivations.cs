namespace FastBackprop.Benchmarks;

/// <summary>
/// The plain scalar C# loop peer: each activation and its input-side derivative written the obvious way, one element
/// at a time with the runtime's scalar <c>Exp</c>/<c>Tanh</c>/<c>Log</c>, as an app would write it without SIMD. One
/// case per <see cref="ActivationInfo"/> entry (<c>ScalarActivationsTests</c> fails for an entry without one).
/// </summary>
internal static class ScalarActivations
{
    private const float GeluC = 0.7978845608f;
    private const float GeluA = 0.044715f;
    private const float InvSqrt2 = 0.70710678f;
    private const float InvSqrt2Pi = 0.39894228f;

    public static void Forward(ActivationKind kind, float alpha, float[] x, float[] y)
    {
        switch (kind)
        {
            case ActivationKind.Identity: for (int i = 0; i < x.Length; i++) { y[i] = x[i]; } break;
            case ActivationKind.Sigmoid: for (int i = 0; i < x.Length; i++) { y[i] = 1f / (1f + MathF.Exp(-x[i])); } break;
            case ActivationKind.Tanh: for (int i = 0; i < x.Length; i++) { y[i] = MathF.Tanh(x[i]); } break;
            case ActivationKind.Relu: for (int i = 0; i < x.Length; i++) { y[i] = x[i] > 0 ? x[i] : 0; } break;
            case ActivationKind.LeakyRelu: for (int i = 0; i < x.Length; i++) { y[i] = x[i] > 0 ? x[i] : alpha * x[i]; } break;
            case ActivationKind.Elu: for (int i = 0; i < x.Length; i++) { y[i] = x[i] > 0 ? x[i] : alpha * (MathF.Exp(x[i]) - 1); } break;
            case ActivationKind.GeluTanh:
                for (int i = 0; i < x.Length; i++)
                {
                    float v = x[i];
                    y[i] = 0.5f * v * (1 + MathF.Tanh(GeluC * (v + (GeluA * v * v * v))));
                }

                break;
            case ActivationKind.GeluErf: for (int i = 0; i < x.Length; i++) { y[i] = x[i] * Phi(x[i]); } break;
            case ActivationKind.Silu: for (int i = 0; i < x.Length; i++) { y[i] = x[i] / (1f + MathF.Exp(-x[i])); } break;
            case ActivationKind.Softplus:
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = MathF.Max(x[i], 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(x[i])));
                }

                break;
            case ActivationKind.LogSigmoid:
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = MathF.Min(x[i], 0) - MathF.Log(1 + MathF.Exp(-MathF.Abs(x[i])));
                }

                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public static void Backward(ActivationKind kind, float alpha, float[] x, float[] dy, float[] dx)
    {
        switch (kind)
        {
            case ActivationKind.Identity: for (int i = 0; i < x.Length; i++) { dx[i] = dy[i]; } break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < x.Length; i++)
                {
                    float s = 1f / (1f + MathF.Exp(-x[i]));
                    dx[i] = dy[i] * s * (1 - s);
                }

                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < x.Length; i++)
                {
                    float t = MathF.Tanh(x[i]);
                    dx[i] = dy[i] * (1 - (t * t));
                }

                break;
            case ActivationKind.Relu: for (int i = 0; i < x.Length; i++) { dx[i] = x[i] > 0 ? dy[i] : 0; } break;
            case ActivationKind.LeakyRelu: for (int i = 0; i < x.Length; i++) { dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i]; } break;
            case ActivationKind.Elu: for (int i = 0; i < x.Length; i++) { dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha * MathF.Exp(x[i]); } break;
            case ActivationKind.GeluTanh:
                for (int i = 0; i < x.Length; i++)
                {
                    float v = x[i];
                    float t = MathF.Tanh(GeluC * (v + (GeluA * v * v * v)));
                    dx[i] = dy[i] * ((0.5f * (1 + t)) + (0.5f * v * (1 - (t * t)) * GeluC * (1 + (3 * GeluA * v * v))));
                }

                break;
            case ActivationKind.GeluErf:
                for (int i = 0; i < x.Length; i++)
                {
                    float v = x[i];
                    dx[i] = dy[i] * (Phi(v) + (v * InvSqrt2Pi * MathF.Exp(-0.5f * v * v)));
                }

                break;
            case ActivationKind.Silu:
                for (int i = 0; i < x.Length; i++)
                {
                    float s = 1f / (1f + MathF.Exp(-x[i]));
                    dx[i] = dy[i] * s * (1 + (x[i] * (1 - s)));
                }

                break;
            case ActivationKind.Softplus: for (int i = 0; i < x.Length; i++) { dx[i] = dy[i] / (1f + MathF.Exp(-x[i])); } break;
            case ActivationKind.LogSigmoid: for (int i = 0; i < x.Length; i++) { dx[i] = dy[i] / (1f + MathF.Exp(x[i])); } break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>
    /// Φ(x) = ½·erfc(−x/√2), with erf from Abramowitz and Stegun 7.1.26 (|error| ≤ 1.5e−7): .NET has no scalar erf,
    /// and this is what a plain implementation would reach for.
    /// </summary>
    private static float Phi(float x)
    {
        float z = MathF.Abs(x) * InvSqrt2;
        float t = 1 / (1 + (0.3275911f * z));
        float poly = t * (0.254829592f + (t * (-0.284496736f + (t * (1.421413741f + (t * (-1.453152027f + (t * 1.061405429f))))))));
        float erf = 1 - (poly * MathF.Exp(-z * z));
        return 0.5f * (1 + (x >= 0 ? erf : -erf));
    }
}
