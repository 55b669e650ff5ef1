"""Fits for the activation derivatives near their roots (src/FastBackprop/Simd/VectorMath.DerivativeRoots.cs).

SiLU', tanh-GELU' and exact GELU' each cross zero once, where their two terms cancel: the plain formula's error,
a few ULP of the terms, becomes thousands of ULP of the result. Near the root x0 the code evaluates instead
f'(x) = (d - delta) * h(d), d = x - x0hi (exact), delta = x0 - x0hi, with h a polynomial fitted here by Chebyshev
interpolation in mpmath; the constant term is kept as hi + lo. Prints the C# tables and each fit's largest relative
error after rounding the coefficients (float and double).

    python3 tools/fits/derivative_roots.py     (mpmath 1.3; about a minute)
"""
import struct
from mpmath import mp, mpf, sqrt, pi, exp, erfc, findroot, chebyfit, polyval

mp.prec = 160


def sigmoid(z):
    return 1 / (1 + exp(-z))


K = sqrt(2 / pi)
C = mpf('0.044715')


def silu_derivative(x):
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def gelu_tanh_derivative(x):
    z = 2 * K * (x + C * x**3)
    s = sigmoid(z)
    return s + x * s * (1 - s) * 2 * K * (1 + 3 * C * x**2)


def gelu_erf_derivative(x):
    return erfc(-x / sqrt(2)) / 2 + x * exp(-x * x / 2) / sqrt(2 * pi)


# name, f', root guess, window [a, b] (where the plain formula exceeds about 6 ULP in float), degree float / double
FITS = [
    ('Silu', silu_derivative, -1.28, -1.8, -0.9, 7, 16),
    ('GeluTanh', gelu_tanh_derivative, -0.75, -1.4, -0.5, 8, 16),
    ('GeluErf', gelu_erf_derivative, -0.75, -1.4, -0.5, 8, 16),
]


def to_float(v):
    return struct.unpack('f', struct.pack('f', float(v)))[0]


def fit(f, guess, a, b, degree, rounding):
    root = findroot(f, guess)
    root_high = mpf(rounding(root))
    delta = root - root_high
    h = lambda d: f(root_high + d) / (d - delta)
    coefficients = chebyfit(h, [mpf(a) - root_high, mpf(b) - root_high], degree + 1)
    rounded = [mpf(rounding(c)) for c in coefficients]
    constant_low = mpf(rounding(coefficients[-1] - rounded[-1]))
    worst = 0
    for i in range(2001):
        d = mpf(a) - root_high + (mpf(b) - mpf(a)) * i / 2000
        approximation = polyval(rounded[:-1], d) * d + rounded[-1] + constant_low
        worst = max(worst, abs(approximation / h(d) - 1))
    table = [root_high, mpf(rounding(delta)), constant_low] + rounded
    return root, worst, table


for name, f, guess, a, b, float_degree, double_degree in FITS:
    for type_name, rounding, degree in (('Float', to_float, float_degree), ('Double', float, double_degree)):
        root, worst, table = fit(f, guess, a, b, degree, rounding)
        print(f'    /// <summary>{name}′ near its root {mp.nstr(root, 17)} ({type_name.lower()}, degree {degree}, '
              f'fit error {float(worst):.2g} relative).</summary>')
        print(f'    private static ReadOnlySpan<double> {name}Root{type_name} =>')
        print('    [')
        values = [repr(float(v)) for v in table]
        for i in range(0, len(values), 4):
            print('        ' + ', '.join(values[i:i + 4]) + ',')
        print('    ];')
        print()
