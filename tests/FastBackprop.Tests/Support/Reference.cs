namespace FastBackprop.Tests.Support;

/// <summary>
/// Plain double references for the activations and their derivatives, written from the textbook formulas in their
/// numerically stable arrangement, independent of the SIMD code. Error: a few double ULP (each built on glibc's
/// exp/log/tanh, ≤ 1 ULP each), 1e−8 relative or better for the float tests that use them; the double tests allow
/// for it in their bounds.
/// </summary>
public static class Reference
{
    private const double SqrtPi = 1.7724538509055160;

    /// <summary>eˣ − 1, Taylor below ½ in magnitude (24 terms: the next is below 1e−30 relative).</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) >= 0.5)
        {
            return Math.Exp(x) - 1;
        }

        double term = x;
        double sum = x;
        for (int k = 2; k < 26; k++)
        {
            term *= x / k;
            sum += term;
        }

        return sum;
    }

    /// <summary>ln(1 + u), with the rounding of 1 + u compensated by the ratio u/(w − 1).</summary>
    public static double Log1p(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    public static double Sigmoid(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return double.IsNaN(x) ? double.NaN : x >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    /// <summary>σ′(x) = e/(1 + e)², e = e^(−|x|).</summary>
    public static double SigmoidDerivative(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return e / ((1 + e) * (1 + e));
    }

    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>sech²(x) = 4e/(1 + e)², e = e^(−2|x|).</summary>
    public static double TanhDerivative(double x) => 4 * SigmoidDerivative(2 * x);

    public static double Relu(double x) => double.IsNaN(x) ? x : Math.Max(0, x);

    public static double Softplus(double x) => double.IsNaN(x) ? x : Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    public static double LogSigmoid(double x) => -Softplus(-x);

    public static double Silu(double x) => double.IsNegativeInfinity(x) ? 0 : x * Sigmoid(x);

    /// <summary>σ(x)(1 + x(1 − σ(x))) with 1 − σ(x) = σ(−x).</summary>
    public static double SiluDerivative(double x) => double.IsInfinity(x) ? (x > 0 ? 1 : 0) : Sigmoid(x) + (x * SigmoidDerivative(x));

    public static double EluDerivative(double x, double alpha) => x > 0 ? 1 : alpha * Math.Exp(x);

    public static double Elu(double x, double alpha) => x > 0 ? x : alpha * Expm1(x);

    private const double GeluK = 0.7978845608028654; // √(2/π)

    /// <summary>
    /// z = 2√(2/π)·(x + 0.044715x³) in double-double (FMA-exact products, both constants as hi + lo from mpmath):
    /// σ(z) in the tail is ≈ e^z, which turns a plainly rounded z's error into |z|·2⁻⁵³ relative (500 ULP at z = −560).
    /// </summary>
    private static (double High, double Low) GeluTanhArgument(double x)
    {
        (double s, double sLow) = Product(x, x, 0);
        (double cube, double cubeLow) = Product(s, x, sLow * x);
        (double t, double tLow) = Product(cube, 0.044715, (cubeLow * 0.044715) + (cube * 2.1960211427085595e-18));
        double w = x + t;
        double wLow = (Math.Abs(x) >= Math.Abs(t) ? (x - w) + t : (t - w) + x) + tLow;
        return Product(w, 1.5957691216057308, (wLow * 1.5957691216057308) + (w * -9.96930880911092e-17));
    }

    /// <summary>a·b + low as a double-double, the product's error taken exactly by FMA.</summary>
    private static (double High, double Low) Product(double a, double b, double low)
    {
        double p = a * b;
        double error = Math.FusedMultiplyAdd(a, b, -p) + low;
        double high = p + error;
        return (high, error - (high - p));
    }

    /// <summary>σ(z) and σ′(z) for z = hi + lo, e^(−|z|) = e^(−|hi|)·(1 ∓ lo).</summary>
    private static (double Sigma, double Derivative) SigmoidOf((double High, double Low) z)
    {
        double e = Math.Exp(-Math.Abs(z.High)) * (1 - (Math.Sign(z.High) * z.Low));
        double sigma = z.High >= 0 ? 1 / (1 + e) : e / (1 + e);
        return (sigma, e / ((1 + e) * (1 + e)));
    }

    public static double GeluTanh(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (double.IsInfinity(x) || Math.Abs(x) > 1e100)
        {
            return x > 0 ? x : 0;
        }

        (double High, double Low) z = GeluTanhArgument(x);
        if (z.High < -600)
        {
            // σ(z) = e^z to the last bit; e^z alone would be subnormal, so it is applied in two normal factors.
            return x * Math.Exp(z.High + 600) * (1 + z.Low) * Math.Exp(-600);
        }

        return x * SigmoidOf(z).Sigma;
    }

    /// <summary>d/dx x·σ(2u) = σ(2u) + x·σ′(2u)·2u′.</summary>
    public static double GeluTanhDerivative(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (double.IsInfinity(x) || Math.Abs(x) > 1e100)
        {
            return x > 0 ? 1 : 0;
        }

        (double High, double Low) z = GeluTanhArgument(x);
        double du = GeluK * (1 + (3 * 0.044715 * x * x));
        if (z.High < -600)
        {
            return (1 + (x * 2 * du)) * Math.Exp(z.High + 600) * (1 + z.Low) * Math.Exp(-600);
        }

        (double sigma, double derivative) = SigmoidOf(z);
        return sigma + (x * derivative * 2 * du);
    }

    /// <summary>σ(x) + |x·σ′(x)|: the size of the two terms of <see cref="SiluDerivative"/>.</summary>
    public static double SiluDerivativeScale(double x) => Sigmoid(x) + Math.Abs(x * SigmoidDerivative(x));

    /// <summary>|σ(2u)| + |x·σ′(2u)·2u′|: the size of the two terms of <see cref="GeluTanhDerivative"/>.</summary>
    public static double GeluTanhDerivativeScale(double x)
    {
        if (!double.IsFinite(x))
        {
            return 1;
        }

        (double sigma, double derivative) = SigmoidOf(GeluTanhArgument(x));
        double du = GeluK * (1 + (3 * 0.044715 * x * x));
        return sigma + Math.Abs(x * derivative * 2 * du);
    }

    /// <summary>Φ(x) + |x|·φ(x): the size of the two terms of <see cref="GeluErfDerivative"/>.</summary>
    public static double GeluErfDerivativeScale(double x)
    {
        double a = Math.Abs(x);
        double tail = GeluErfParts(a, 1, 0);
        return (x < 0 ? tail : 1 - tail) + GeluErfParts(a, 0, -a);
    }

    /// <summary>Q(a) = ½erfc(a/√2) for a ≥ 0.</summary>
    public static double NormalTail(double a) => GeluErfParts(a, 1, 0);

    public static double GeluErf(double x)
    {
        if (double.IsInfinity(x) || Math.Abs(x) > 1e100)
        {
            return x > 0 ? x : 0;
        }

        return x < 0 ? GeluErfParts(-x, x, 0) : x - GeluErfParts(x, x, 0);
    }

    /// <summary>Φ(x) + x·φ(x).</summary>
    public static double GeluErfDerivative(double x)
    {
        if (double.IsInfinity(x) || Math.Abs(x) > 1e100)
        {
            return x > 0 ? 1 : 0;
        }

        double t = GeluErfParts(Math.Abs(x), 1, Math.Abs(x));
        return x < 0 ? t : 1 - t;
    }

    /// <summary>
    /// factor·Q(a) − weight·φ(a) for a ≥ 0, Q(a) = ½erfc(a/√2), φ(a) = e^(−a²/2)/√(2π): e^(−x²/2) is applied as two halves,
    /// the second last, so that a normal result whose Gaussian factor alone is subnormal (x ≈ −38 in double) keeps
    /// its precision. Below a = ½√2 Q comes from the erf series.
    /// </summary>
    private static double GeluErfParts(double a, double factor, double weight)
    {
        if (double.IsNaN(a))
        {
            return a;
        }

        double s = a * 0.70710678118654752;
        if (s < 0.5)
        {
            double gaussian = Gaussian(a * a / 2, Math.FusedMultiplyAdd(a, a, -(a * a)) / 2);
            return (factor * 0.5 * (1 - ErfSeries(s))) - (weight * gaussian / Math.Sqrt(2 * Math.PI));
        }

        if (a > 80)
        {
            return 0;
        }

        double half = a * a / 4;
        double low = Math.FusedMultiplyAdd(a, a, -(a * a)) / 2;
        double first = Math.Exp(-half) * (1 - low);
        double second = Math.Exp(-half);
        int terms = ContinuedFractionTerms(s);
        double t = s;
        for (int k = terms; k >= 1; k--)
        {
            t = s + (k / 2.0 / t);
        }

        double unscaled = (factor * 0.5 / SqrtPi / t) - (weight / Math.Sqrt(2 * Math.PI));
        return unscaled * first * second;
    }

    /// <summary>erfc(x).</summary>
    public static double Erfc(double x)
    {
        double a = Math.Abs(x);
        double tail = ErfcScaled(a, a * a, Math.FusedMultiplyAdd(a, a, -(a * a)));
        return x < 0 ? 2 - tail : tail;
    }

    /// <summary>erf(x): the Maclaurin series below ½ (terms fall by a²/… ≤ ¼ each), 1 − erfc (≤ 0.48) beyond.</summary>
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        if (a >= 0.5)
        {
            return Math.CopySign(1 - Erfc(a), x);
        }

        double power = a;
        double sum = a;
        for (int k = 1; k < 30; k++)
        {
            power *= -a * a / k;
            sum += power / ((2 * k) + 1);
        }

        return Math.CopySign(2 / SqrtPi * sum, x);
    }

    /// <summary>erf(a) = 2/√π·e^(−a²)·Σ 2ⁿa²ⁿ⁺¹/(1·3·…·(2n + 1)), all terms positive.</summary>
    private static double ErfSeries(double a)
    {
        double term = a;
        double sum = a;
        for (int n = 1; n < 200 && term > sum * 1e-18; n++)
        {
            term *= 2 * a * a / ((2 * n) + 1);
            sum += term;
        }

        return 2 / SqrtPi * Gaussian(a * a, Math.FusedMultiplyAdd(a, a, -(a * a))) * sum;
    }

    /// <summary>Terms that converge erfc's continued fraction to 3e−16 relative, measured against mpmath, doubled.</summary>
    private static int ContinuedFractionTerms(double a) => a < 0.8 ? 1600 : a < 1 ? 800 : a < 1.5 ? 400 : 200;

    /// <summary>e^(−(hi + lo)) for a small lo.</summary>
    private static double Gaussian(double high, double low) => Math.Exp(-high) * (1 - low);

    /// <summary>erfc(a), a ≥ 0, given a² = hi + lo: 1 − series below ½, the continued fraction beyond.</summary>
    private static double ErfcScaled(double a, double squareHigh, double squareLow)
    {
        if (double.IsNaN(a))
        {
            return a;
        }

        if (a < 0.5)
        {
            return 1 - ErfSeries(a);
        }

        if (a > 30)
        {
            return 0;
        }

        // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from the tail.
        int terms = ContinuedFractionTerms(a);
        double t = a;
        for (int k = terms; k >= 1; k--)
        {
            t = a + (k / 2.0 / t);
        }

        return Gaussian(squareHigh, squareLow) / SqrtPi / t;
    }
}
