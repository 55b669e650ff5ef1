#!/usr/bin/env python3
"""Writes double-activations.csv: correctly rounded double values of the activations and their derivatives.

The table is the reference DoubleAccuracyTests measures the double kernels against. Every value is computed
with mpmath at PRECISION bits (77 significant digits; more for |x| < 1, see row), checked against a second
evaluation at CHECK_PRECISION bits, and rounded once to the nearest double (ties to even, subnormals and overflow
included).

Usage: python3 make_double_reference.py   (needs mpmath; writes double-activations.csv beside this script;
the output is deterministic, so a rerun reproduces the committed file byte for byte.)

Functions, for x a double:
  Sigmoid     σ(x) = 1/(1 + e^(−x)),                      σ′(x) = σ(x)·σ(−x)
  Tanh        tanh(x),                                    sech²(x)
  Softplus    ln(1 + eˣ),                                 σ(x)
  LogSigmoid  −softplus(−x) = ln σ(x),                    σ(−x)
  Silu        x·σ(x),                                     σ(x) + x·σ(x)·σ(−x)
  Elu         x > 0 ? x : α(eˣ − 1), α = 1.5,             x > 0 ? 1 : α·eˣ (the kernels' convention at 0)
  GeluTanh    ½x(1 + tanh(u)) = x·σ(2u),                  σ(2u) + x·σ(2u)·σ(−2u)·2u′ (the derivative of the
              u = √(2/π)(x + 0.044715x³), the exact       approximation itself), u′ = √(2/π)(1 + 3·0.044715x²)
              decimal 0.044715 and the exact √(2/π)
  GeluErf     x·Φ(x), Φ(x) = ½erfc(−x/√2),                Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)

Columns (one row per x, the header line names them):
  x                 the input, as the shortest decimal that round-trips (Python repr, C# "R")
  Op                f(x) rounded to the nearest double, same form
  Op.ulp            (exact − rounded)/ulp(rounded), 3 decimals, so |actual − exact| in ULP is
                    |(actual − rounded)/ulp(rounded) − Op.ulp| to ±0.0005
  Op'               f′(x) rounded to the nearest double
  Op'.ulp           its offset, as for Op.ulp
  Op'.scale         Silu, GeluTanh and GeluErf only: the sum of the magnitudes of the derivative's two terms
                    (σ(x) + |x·σ(x)σ(−x)|, σ(2u) + |x·σ′(2u)·2u′|, Φ(x) + |x|·φ(x)), 6 digits: near the
                    derivative's root the terms cancel, and its rounding error is measured against this size
ulp(r) is the convention of Ulp.Error(double, double): 2^(ilogb(|r|) − 52), or 2⁻¹⁰⁷⁴ where |r| < 2⁻¹⁰²²
(zero and subnormals included).

Underflow, zeros, infinities: a result whose exact value lies below the smallest subnormal rounds to a signed 0
and its offset is exact/2⁻¹⁰⁷⁴ (≈ 0.000 far below); a result that is exactly 0 (f(0) for the odd-signed
functions) is stored as 0 with offset 0. No sampled result overflows (every f here grows at most like x) and no
input is infinite or NaN: the specials are the business of ActivationsTests and Inputs.DoubleSpecials. Exact GELU
and its derivative below x = −10⁶ (where mpmath's erfc gives up) are below 2^(−10¹¹): stored as −0 with offset 0,
and the derivative's scale as 0 (the test then judges in ULP alone).

Samples (seeded, 564): a coarse log grid of both signs from 1e−300 to 745.2, a finer one from 1e−8,
the half-integers in [−40, 40], random doubles built from random mantissa bits, the doubles at and beside the
derivative roots of SiLU (≈ −1.2785), exact GELU (≈ −0.7518) and tanh-GELU (≈ −0.7525), the tail edges (where
a result or derivative leaves the normal range or reaches zero, where a result rounds to its asymptote, exp's
overflow and underflow edges, and the kernels' clamp points), and a few extreme doubles.
"""

import math
import os
import random

from mpmath import mp, mpf

PRECISION = 256
CHECK_PRECISION = 320
SEED = 20240613
ALPHA = 1.5
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "double-activations.csv")

MIN_NORMAL_EXPONENT = -1022
SUBNORMAL_QUANTUM_EXPONENT = -1074
MAX_DOUBLE = 1.7976931348623157e308


def sigma(x):
    return 1 / (1 + mp.exp(-x))


def gelu_tanh_argument(x):
    """(2u, 2u′) for u = √(2/π)(x + 0.044715x³), 0.044715 exact."""
    c = mpf(44715) / 10**6
    k = mp.sqrt(2 / mp.pi)
    return 2 * k * (x + c * x**3), 2 * k * (1 + 3 * c * x**2)


def phi_parts(x):
    """(Φ(x), φ(x))."""
    return mp.erfc(-x / mp.sqrt(2)) / 2, mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def silu_terms(x):
    s = sigma(x)
    return s, x * s * sigma(-x)


def gelu_tanh_derivative_terms(x):
    """σ(2u) and x·σ(2u)σ(−2u)·2u′, σ(−2u) formed directly (1 − σ(2u) would cancel for large x)."""
    z, slope = gelu_tanh_argument(x)
    return sigma(z), x * sigma(z) * sigma(-z) * slope


def gelu_erf(x):
    if x < -10**6:
        return None
    big_phi, _ = phi_parts(x)
    return x * big_phi


def gelu_erf_derivative(x):
    if x < -10**6:
        return None
    big_phi, small_phi = phi_parts(x)
    return big_phi + x * small_phi


def gelu_erf_scale(x):
    if x < -10**6:
        return mpf(0)
    big_phi, small_phi = phi_parts(x)
    return big_phi + abs(x) * small_phi


# name, f, f′, scale of f′'s terms (None where f′ has a single term)
OPS = [
    ("Sigmoid", sigma, lambda x: sigma(x) * sigma(-x), None),
    ("Tanh", mp.tanh, lambda x: mp.sech(x) ** 2, None),
    ("Softplus", lambda x: mp.log1p(mp.exp(x)), sigma, None),
    ("LogSigmoid", lambda x: -mp.log1p(mp.exp(-x)), lambda x: sigma(-x), None),
    ("Silu", lambda x: x * sigma(x), lambda x: sum(silu_terms(x)), lambda x: sum(abs(t) for t in silu_terms(x))),
    ("Elu", lambda x: x if x > 0 else ALPHA * mp.expm1(x), lambda x: mpf(1) if x > 0 else ALPHA * mp.exp(x), None),
    (
        "GeluTanh",
        lambda x: x * sigma(gelu_tanh_argument(x)[0]),
        lambda x: sum(gelu_tanh_derivative_terms(x)),
        lambda x: sum(abs(t) for t in gelu_tanh_derivative_terms(x)),
    ),
    ("GeluErf", gelu_erf, gelu_erf_derivative, gelu_erf_scale),
]


def spacing_exponent(r):
    """log2 of ulp(r), Ulp.Error's convention: 2^(ilogb(|r|) − 52), 2⁻¹⁰⁷⁴ below the normal range."""
    if r == 0 or abs(r) < 2.0**MIN_NORMAL_EXPONENT:
        return SUBNORMAL_QUANTUM_EXPONENT
    return math.frexp(abs(r))[1] - 1 - 52


def round_to_double(v):
    """The nearest double to the mpf v (ties to even), with subnormals and overflow to ±inf."""
    if v == 0:
        return 0.0
    magnitude = abs(v)
    exponent = mp.frexp(magnitude)[1] - 1  # leading bit 2^exponent, exact
    quantum = max(exponent - 52, SUBNORMAL_QUANTUM_EXPONENT)
    scaled = mp.ldexp(magnitude, -quantum)
    n = int(mp.floor(scaled))
    fraction = scaled - n
    if fraction > mpf("0.5") or (fraction == mpf("0.5") and n % 2 == 1):
        n += 1
    if quantum > 1023 - 52 or (quantum == 1023 - 52 and n >= 2**53):
        return math.copysign(math.inf, v)
    return math.copysign(math.ldexp(n, quantum), v)


def rounded_and_offset(v):
    """(nearest double, (v − nearest)/ulp(nearest)); None stands for exact GELU's negative values beyond −10⁶."""
    if v is None:
        return -0.0, 0.0
    r = round_to_double(v)
    if math.isinf(r):
        raise ValueError(f"{v} overflows double")
    offset = (v - mpf(r)) / mp.ldexp(1, spacing_exponent(r))
    return r, float(offset)


def format_offset(offset):
    text = f"{offset:.3f}"
    return "0.000" if text == "-0.000" else text


def format_scale(value):
    return repr(float(f"{float(value):.6g}"))


def nearest(v):
    return round_to_double(mpf(v))


def neighbours(d, steps=(1, 2)):
    """d and the doubles `steps` apart on either side."""
    out = [d]
    for k in steps:
        up = down = d
        for _ in range(k):
            up = math.nextafter(up, math.inf)
            down = math.nextafter(down, -math.inf)
        out += [up, down]
    return out


def bisect(g, low, high, iterations=200):
    """A sign change of g on [low, high], to well below a double's resolution."""
    g_low = g(low)
    for _ in range(iterations):
        middle = (low + high) / 2
        g_middle = g(middle)
        if (g_middle < 0) == (g_low < 0):
            low, g_low = middle, g_middle
        else:
            high = middle
    return (low + high) / 2


def crossings(function, level):
    """Where |function| crosses `level` on each side's tail (|x| in [1, 2000]), found by bisection on log|f|."""
    found = []
    for side in (-1, 1):
        def g(t, side=side):
            value = function(side * t)
            return (mp.log(abs(value)) if value != 0 else -mp.inf) - mp.log(level)

        inner, outer = mpf(1), mpf(2000)
        if g(inner) > 0 > g(outer):
            found.append(side * bisect(g, inner, outer))
    return found


def asymptote_edges():
    """
    Where a result rounds to its asymptote (relative distance 2⁻⁵⁴): σ and tanh → 1; softplus, log-sigmoid, SiLU and
    the GELUs → x; ELU → −α.
    """
    level = mp.ldexp(1, -54)
    cases = [
        (lambda t: sigma(-t), 1),
        (lambda t: 2 * sigma(-2 * t), 1),
        (lambda t: (mp.log1p(mp.exp(t)) - t) / t, 1),
        (lambda t: mp.log1p(mp.exp(-t)) / t, -1),
        (lambda t: sigma(-t), 1),
        (lambda t: mp.exp(-t), -1),
        (lambda t: sigma(-gelu_tanh_argument(t)[0]), 1),
        (lambda t: mp.erfc(t / mp.sqrt(2)) / 2, 1),
    ]
    edges = []
    for relative, side in cases:
        edges.append(side * bisect(lambda t, f=relative: mp.log(f(t)) - mp.log(level), mpf(1), mpf(60)))
    return edges


def samples():
    rng = random.Random(SEED)
    xs = set()

    # Log grids of both signs: 36 per sign from 1e−300 to 745.2 (exp's zero edge), 20 per sign from 1e−8.
    for low, count in ((-300.0, 36), (-8.0, 20)):
        top = math.log10(745.2)
        for i in range(count):
            magnitude = 10.0 ** (low + (top - low) * i / (count - 1))
            xs.update((magnitude, -magnitude))

    # Half-integers on [−40, 40].
    xs.update(k / 2 for k in range(-80, 81))

    # Random doubles from random bits: 60 with a binary exponent in [−60, 9], 40 a 53-bit fraction of [−40, 40].
    for _ in range(60):
        mantissa = rng.getrandbits(52) | (1 << 52)
        xs.add(rng.choice((-1, 1)) * math.ldexp(mantissa, rng.randint(-60, 9) - 52))
    for _ in range(40):
        xs.add(math.ldexp(rng.getrandbits(53), -53) * 80 - 40)

    # Roots of the cancelling derivatives: the nearest double, 1, 2, 3 and 10 doubles away, 1e−12..1e−3 relative.
    derivative = {name: d for name, _, d, scale in OPS if scale is not None}
    for name, guess in (("Silu", -1.28), ("GeluErf", -0.75), ("GeluTanh", -0.75)):
        root = mp.findroot(derivative[name], mpf(guess))
        d = nearest(root)
        xs.update(neighbours(d, (1, 2, 3, 10)))
        for relative in (1e-12, 1e-9, 1e-6, 1e-3):
            xs.update((d * (1 + relative), d * (1 - relative)))

    # Tail edges: each op's result and derivative leaving the normal range (2⁻¹⁰²²) and reaching 0 (2⁻¹⁰⁷⁵),
    # the asymptotes, exp's overflow and underflow, and the kernels' clamps (±20 tanh, ±30 tanh-GELU and σ's 40,
    # ±40 exact GELU and expm1, erfc's a = 26.6 and 28.5 at x = a√2, −746 and 710 exp, ±800 the SiLU gate).
    edges = []
    for _, f, d, _ in OPS:
        for g in (f, d):
            for level in (mp.ldexp(1, MIN_NORMAL_EXPONENT), mp.ldexp(1, -1075)):
                edges += crossings(g, level)
    edges += asymptote_edges()
    edges += [mp.log(mp.ldexp(1, 1024)), mp.log(mp.ldexp(1, -1022)), mp.log(mp.ldexp(1, -1075))]
    clamps = [20, 30, 40, mpf("26.6") * mp.sqrt(2), mpf("28.5") * mp.sqrt(2), 746, 710, 800]
    edges += [s * mpf(c) for c in clamps for s in (-1, 1)]
    for edge in edges:
        d = nearest(edge)
        xs.update(neighbours(d, (1,)))

    tiny = 2.0**MIN_NORMAL_EXPONENT
    xs.update((0.0, 5e-324, -5e-324, tiny, -tiny, MAX_DOUBLE, -MAX_DOUBLE, 1e300, -1e300))
    return sorted(xs)


def row(x, precision):
    """
    The row's fields for input x at the given working precision, raised by log2(1/|x|) bits for |x| < 1: there a
    result's correction to its leading term is relatively about x, and ELU's 1.5x is a tie in double that only
    0.75x² decides.
    """
    mp.prec = precision + (max(0, -math.frexp(x)[1]) if x != 0 else 0)
    v = mpf(x)
    fields = [repr(x)]
    for _, f, d, scale in OPS:
        for g in (f, d):
            value, offset = rounded_and_offset(g(v))
            fields += [repr(value), format_offset(offset)]
        if scale is not None:
            fields.append(format_scale(scale(v)))
    return fields


def main():
    mp.prec = PRECISION
    xs = samples()
    header = ["x"]
    for name, _, _, scale in OPS:
        header += [name, f"{name}.ulp", f"{name}'", f"{name}'.ulp"] + ([f"{name}'.scale"] if scale is not None else [])
    lines = [
        "# Correctly rounded double activations and derivatives from mpmath at 256 bits, written by"
        " make_double_reference.py (its docstring documents them); do not edit.",
        "# Columns: x; per op f(x) rounded to nearest, its offset (exact - rounded)/ulp(rounded), f'(x) rounded,"
        " its offset, and for Silu, GeluTanh, GeluErf the sum of |terms| of f'; ulp(r) = 2^(ilogb|r| - 52),"
        " 2^-1074 below 2^-1022.",
        ",".join(header),
    ]
    for x in xs:
        fields = row(x, PRECISION)
        check = row(x, CHECK_PRECISION)
        if fields != check:
            raise AssertionError(f"x = {x!r}: {PRECISION} and {CHECK_PRECISION} bits disagree:\n{fields}\n{check}")
        lines.append(",".join(fields))
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    print(f"{len(xs)} inputs, {len(header)} columns, {os.path.getsize(OUTPUT)} bytes -> {OUTPUT}")


if __name__ == "__main__":
    main()
