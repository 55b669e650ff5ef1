using Microsoft.Extensions.ObjectPool;

namespace FastBackprop.Buffers;

/// <summary>
/// One thread's scratch memory for a GEMM call: the packed panels of A and B, an edge tile of C and a padded strip
/// of B. Native, 64-byte aligned (a zmm line) and never moved by the GC, so kernels hold raw pointers into it.
/// </summary>
/// <remarks>
/// The memory only grows: a request that fits reuses it, so a steady stream of calls allocates nothing. Owned by
/// <see cref="PackWorkspacePool"/>; the finalizer frees the native block when the pool drops a workspace.
/// </remarks>
internal sealed unsafe class PackWorkspace
{
    /// <summary>The alignment of every region: one cache line, also the widest vector.</summary>
    public const int Alignment = 64;

    private void* _memory;
    private nuint _capacity;

    ~PackWorkspace() => NativeMemory.AlignedFree(_memory);

    /// <summary>
    /// Base of a block of at least <paramref name="bytes"/> bytes, 64-byte aligned. Contents are undefined.
    /// Invalidates pointers returned earlier when it has to grow.
    /// </summary>
    public byte* Reserve(nuint bytes)
    {
        if (bytes > _capacity)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
            _capacity = 0;
            _memory = NativeMemory.AlignedAlloc(bytes, Alignment);
            _capacity = bytes;
        }

        return (byte*)_memory;
    }

    /// <summary>Rounds a region size up to <see cref="Alignment"/> so the next region starts aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Align(nuint bytes) => (bytes + Alignment - 1) & ~(nuint)(Alignment - 1);
}

/// <summary>
/// The library's pool of <see cref="PackWorkspace"/>s: a GEMM call takes one per thread and returns it, so the
/// native blocks are reused across calls. Get and Return are lock-free and allocate nothing once warm.
/// </summary>
/// <remarks>
/// No retention bound: a workspace is made only when none is free and none is dropped, so the pool grows to the
/// peak number of concurrent GEMM threads and from then on allocates nothing. A bound below that peak (it was
/// max(4, 2 × ProcessorCount)) dropped the surplus on return, so 8 threads predicting at once on a 2-core machine
/// allocated a workspace, and later finalized its native block, on every call. The cost is that the native blocks
/// of the peak stay allocated for the life of the process.
/// </remarks>
internal static class PackWorkspacePool
{
    private static readonly ObjectPool<PackWorkspace> Pool = new DefaultObjectPool<PackWorkspace>(new Policy(), int.MaxValue);

    public static PackWorkspace Get() => Pool.Get();

    public static void Return(PackWorkspace workspace) => Pool.Return(workspace);

    private sealed class Policy : PooledObjectPolicy<PackWorkspace>
    {
        public override PackWorkspace Create() => new();

        public override bool Return(PackWorkspace obj) => true;
    }
}
