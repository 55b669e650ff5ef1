namespace FastBackprop;

/// <summary>
/// Activation functions and their backward passes, element-wise over spans of float or double; softmax and
/// log-softmax row-wise over a row-major <c>[rows × cols]</c> matrix.
/// </summary>
/// <remarks>
/// Forward: <c>y = f(x)</c>. Backward from the input: <c>dx = dy ⊙ f′(x)</c>; from the output (where f′ can be
/// written in y): <c>dx = dy ⊙ f′(f⁻¹(y))</c>. Every span of one call has the same length; the destination may
/// be one of the inputs itself (in place) but must not partially overlap one. Values are not validated: NaN and
/// ±∞ flow through as each method documents.
/// </remarks>
public static partial class Activations
{
    private static void CheckUnary<T>(ReadOnlySpan<T> x, Span<T> destination, string xName, string destinationName)
    {
        Guard.SupportedType<T>();
        Guard.SameLength(destination.Length, x.Length, destinationName, xName);
        Guard.NoPartialOverlap(x, destination, xName, destinationName);
    }

    private static void CheckBinary<T>(
        ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> destination, string xName, string dyName, string destinationName)
    {
        Guard.SupportedType<T>();
        Guard.SameLength(dy.Length, x.Length, dyName, xName);
        Guard.SameLength(destination.Length, x.Length, destinationName, xName);
        Guard.NoPartialOverlap(x, destination, xName, destinationName);
        Guard.NoPartialOverlap(dy, destination, dyName, destinationName);
    }
}
