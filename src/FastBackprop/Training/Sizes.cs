namespace FastBackprop.Training;

/// <summary>
/// Products of sizes at the training layer's public entries (rows × inputs, batchSize × inputs, …), taken in 64
/// bits so that none wraps: a product too large is an <see cref="ArgumentException"/> naming the caller's count and
/// the sizes, thrown before anything is written.
/// </summary>
internal static class Sizes
{
    /// <summary>
    /// <c>count × width</c> elements of a span the caller passes, which cannot be longer than <see cref="int.MaxValue"/>.
    /// Both factors are non-negative.
    /// </summary>
    public static int SpanLength(int count, int width, string countName, string widthName) =>
        Product(count, width, countName, widthName, int.MaxValue, "span");

    /// <summary><c>count × width</c> elements of an array this library allocates, at most <see cref="Array.MaxLength"/>.</summary>
    public static int ArrayLength(int count, int width, string countName, string widthName) =>
        Product(count, width, countName, widthName, Array.MaxLength, "array");

    private static int Product(int count, int width, string countName, string widthName, long limit, string what)
    {
        long product = (long)count * width;
        if (product > limit)
        {
            throw new ArgumentException(
                $"{countName} × {widthName} = {count} × {width} = {product} exceeds {limit}, the longest {what}.", countName);
        }

        return (int)product;
    }
}
