using System.Diagnostics.CodeAnalysis;

namespace FastBackprop;

/// <summary>
/// Argument checks shared by every public kernel. Each throws before the kernel writes anything, with the
/// parameter's name and the sizes that disagree.
/// </summary>
/// <remarks>
/// The checks GEMM runs on every call inline and leave the message to an out-of-line throw helper: with the
/// formatting in their bodies the JIT kept StridedMatrix, DefinedOp and NoOverlapStrided as calls, which with
/// <see cref="Simd.PathTable.Active"/> copied by value cost NN 1×2×16 82 → 33 ns a call (Zen 4, Stopwatch).
/// </remarks>
internal static class Guard
{
    /// <summary>Kernels are implemented for float and double only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SupportedType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            ThrowUnsupportedType(typeof(T));
        }
    }

    /// <summary><paramref name="actual"/> must equal <paramref name="expected"/>, the length of <paramref name="expectedName"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength(int actual, int expected, string actualName, string expectedName)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{actualName} has length {actual} but {expectedName} has length {expected}; they must be equal.", actualName);
        }
    }

    /// <summary>
    /// <paramref name="destination"/> may be exactly <paramref name="input"/> (in place) or disjoint from it; a
    /// partial overlap would make the kernel read elements it has already overwritten.
    /// </summary>
    /// <remarks>Compared as byte ranges, so a span cast at an offset that is not a whole element is a partial overlap too.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoPartialOverlap<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> destination, string inputName, string destinationName)
    {
        if (ByteRangesOverlap(input, destination, out long byteOffset) && (byteOffset != 0 || input.Length != destination.Length))
        {
            throw new ArgumentException(
                $"{destinationName} (length {destination.Length}) partially overlaps {inputName} (length {input.Length}, " +
                $"{destinationName} starts {byteOffset} bytes after it); a destination must be the same span as the input or not overlap it.",
                destinationName);
        }
    }

    /// <summary>
    /// <paramref name="destination"/> must not share a byte with <paramref name="input"/>, whatever their element types:
    /// labels cast from a gradient with <c>MemoryMarshal.Cast</c> would be overwritten between their check and their use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap<TInput, TDestination>(ReadOnlySpan<TInput> input, ReadOnlySpan<TDestination> destination, string inputName, string destinationName)
    {
        if (ByteRangesOverlap(input, destination, out _))
        {
            throw new ArgumentException(
                $"{destinationName} (length {destination.Length}) overlaps {inputName} (length {input.Length}); this kernel needs them disjoint.",
                destinationName);
        }
    }

    /// <summary>
    /// <paramref name="destination"/>, a rows × cols matrix with row stride <paramref name="destinationStride"/>, must
    /// share no byte with the used elements of <paramref name="input"/> (an <paramref name="inputRows"/> ×
    /// <paramref name="inputCols"/> matrix with row stride <paramref name="inputStride"/>); either may lie in the other's
    /// gaps between rows. Both matrices must already be validated against their spans (<see cref="StridedMatrix"/>).
    /// </summary>
    /// <remarks>
    /// The input's rows are disjoint and ordered, so for each destination row, the one input row that can meet it is the
    /// first to end after the destination row starts: O(rows) and only when the two spans' ranges overlap at all.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlapStrided<T>(
        ReadOnlySpan<T> input, int inputRows, int inputCols, int inputStride,
        ReadOnlySpan<T> destination, int rows, int cols, int destinationStride,
        string inputName, string destinationName)
    {
        if (inputRows != 0 && inputCols != 0 && rows != 0 && cols != 0 && ByteRangesOverlap(input, destination, out long start))
        {
            NoOverlappingRows<T>(start, inputRows, inputCols, inputStride, rows, cols, destinationStride, inputName, destinationName);
        }
    }

    /// <summary><see cref="NoOverlapStrided"/> where the two spans' ranges overlap: row by row, out of line.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoOverlappingRows<T>(
        long start, int inputRows, int inputCols, int inputStride, int rows, int cols, int destinationStride,
        string inputName, string destinationName)
    {
        // In bytes from the input's first element: input row j is [j·inputPitch, j·inputPitch + inputWidth), destination
        // row i is [start + i·destinationPitch, … + width). Every product is below the span lengths' 2³¹ elements × 8 bytes.
        int size = Unsafe.SizeOf<T>();
        long inputPitch = (long)inputStride * size;
        long inputWidth = (long)inputCols * size;
        long destinationPitch = (long)destinationStride * size;
        long width = (long)cols * size;
        for (int i = 0; i < rows; i++)
        {
            long rowStart = start + (i * destinationPitch);
            long rowEnd = rowStart + width;
            long firstCandidate = rowStart < inputWidth ? 0 : ((rowStart - inputWidth) / inputPitch) + 1;
            if (firstCandidate < inputRows && firstCandidate * inputPitch < rowEnd)
            {
                throw new ArgumentException(
                    $"{destinationName} ({rows} × {cols}, row stride {destinationStride}) overlaps the used part of {inputName} " +
                    $"({inputRows} × {inputCols}, row stride {inputStride}) at its row {i} and {inputName}'s row {firstCandidate}; " +
                    "the destination may only use the input's gaps between rows.",
                    destinationName);
            }
        }
    }

    /// <summary>
    /// Whether two spans share a byte; <paramref name="byteOffset"/> is where <paramref name="second"/> starts, in bytes
    /// after <paramref name="first"/>'s start (negative before it). Empty spans overlap nothing.
    /// </summary>
    private static bool ByteRangesOverlap<TFirst, TSecond>(ReadOnlySpan<TFirst> first, ReadOnlySpan<TSecond> second, out long byteOffset)
    {
        byteOffset = Unsafe.ByteOffset(
            ref Unsafe.As<TFirst, byte>(ref MemoryMarshal.GetReference(first)),
            ref Unsafe.As<TSecond, byte>(ref MemoryMarshal.GetReference(second)));
        long firstBytes = (long)first.Length * Unsafe.SizeOf<TFirst>();
        long secondBytes = (long)second.Length * Unsafe.SizeOf<TSecond>();
        return firstBytes > 0 && secondBytes > 0 && (byteOffset >= 0 ? byteOffset < firstBytes : -byteOffset < secondBytes);
    }

    /// <summary>A size must be zero or positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NonNegative(int value, string name)
    {
        if (value < 0)
        {
            ThrowNegative(value, name);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(int value, string name) =>
        throw new ArgumentException($"{name} is {value}; it must be zero or positive.", name);

    /// <summary><c>rows × cols</c> as a length, which must not overflow and must equal the span's length.</summary>
    public static void MatrixLength(int length, int rows, int cols, string spanName)
    {
        NonNegative(rows, nameof(rows));
        NonNegative(cols, nameof(cols));
        long size = (long)rows * cols;
        if (size != length)
        {
            throw new ArgumentException(
                $"{spanName} has length {length} but rows × cols = {rows} × {cols} = {size}; they must be equal.", spanName);
        }
    }

    /// <summary>An op must be one of <see cref="MatrixOp"/>'s named values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DefinedOp(MatrixOp op, string name)
    {
        if (op is not (MatrixOp.None or MatrixOp.Transpose))
        {
            ThrowUndefinedOp(op, name);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUndefinedOp(MatrixOp op, string name) =>
        throw new ArgumentException($"{name} is {(int)op}; it must be MatrixOp.None or MatrixOp.Transpose.", name);

    /// <summary>
    /// A row-major rows × cols matrix with row stride <paramref name="stride"/> in a span of <paramref name="length"/>:
    /// the stride must be at least cols and the span at least (rows − 1)·stride + cols long (0 for an empty matrix).
    /// Returns that required length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StridedMatrix(int length, int rows, int cols, int stride, string spanName, string strideName)
    {
        long required = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * stride) + cols;
        if (stride < cols || required > length)
        {
            ThrowStridedMatrix(length, rows, cols, stride, required, spanName, strideName);
        }

        return (int)required;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStridedMatrix(int length, int rows, int cols, int stride, long required, string spanName, string strideName)
    {
        if (stride < cols)
        {
            throw new ArgumentException(
                $"{strideName} is {stride} but {spanName} is {rows} × {cols}; the row stride must be at least the {cols} columns.", strideName);
        }

        throw new ArgumentException(
            $"{spanName} has length {length} but a {rows} × {cols} matrix with row stride {stride} needs {required}.", spanName);
    }

    /// <summary><paramref name="actual"/>, the length of <paramref name="name"/>, must be <paramref name="expected"/> (<paramref name="reason"/>, e.g. "cols").</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LengthIs(int actual, int expected, string name, string reason)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual} but must have length {expected} ({reason}).", name);
        }
    }

    /// <summary>One class label per row, each in <c>[0, cols)</c>; checked in full before a kernel writes anything.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int rows, int cols, string name)
    {
        LengthIs(labels.Length, rows, name, "one label per row");
        for (int r = 0; r < labels.Length; r++)
        {
            if ((uint)labels[r] >= (uint)cols)
            {
                throw new ArgumentException($"{name}[{r}] is {labels[r]}; a class label must be in [0, {cols}).", name);
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowUnsupportedType(Type type) =>
        throw new NotSupportedException($"FastBackprop kernels support float and double, not {type.Name}.");
}
