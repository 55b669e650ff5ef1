using FastBackprop.Threading;

namespace FastBackprop;

/// <summary>
/// The process-wide limit on FastBackprop's threads, and the way to end them. Every API with a <c>threads</c>
/// parameter (<see cref="Gemm"/>, <see cref="Training.Mlp{T}"/>, <see cref="Training.Checkpoint"/>) takes 1 by
/// default, the calling thread only, so an app gets no thread it did not ask for; 0 asks for
/// <see cref="MaxThreads"/>, and any other count is held to it.
/// </summary>
/// <remarks>
/// The threads beyond the caller are the library's own persistent background threads, named
/// <c>FastBackprop worker N</c>: started on first use, up to the most any call has used (at most
/// <see cref="MaxThreads"/> − 1), then kept, so that steady-state calls neither start threads nor allocate.
/// <see cref="ReleaseWorkers"/> ends them; the next call that wants them starts them again.
/// </remarks>
public static class Parallelism
{
    private static int s_maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// The most threads (the caller included) one call may use; <see cref="Environment.ProcessorCount"/> unless set.
    /// More only oversubscribes the cores. Lowering it holds later calls to it; it does not end threads already
    /// started (<see cref="ReleaseWorkers"/> does).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    /// <summary>The library's worker threads alive now (not counting callers).</summary>
    public static int WorkerThreads => WorkerTeam.Shared.WorkerCount;

    /// <summary>
    /// Ends the worker threads and returns once they have exited. A call in flight finishes first (on its workers);
    /// calls that start meanwhile run on their caller alone, with the same results. Safe from any thread, at any time.
    /// </summary>
    public static void ReleaseWorkers() => WorkerTeam.Shared.Release();

    /// <summary>A <c>threads</c> argument (validated non-negative) as the threads a call may use: 0 is the cap, anything else is held to it.</summary>
    internal static int Resolve(int threads) => threads == 0 ? MaxThreads : Math.Min(threads, MaxThreads);
}
