using FastBackprop.Tests.Kernels;

namespace FastBackprop.Tests.Threading;

/// <summary>The process-wide cap, the default of one thread, and releasing the workers.</summary>
/// <remarks>In <see cref="GemmThreadingTests"/>' collection: the team and the cap are process-wide, so no other test may run beside these.</remarks>
[Collection(nameof(GemmThreadingTests))]
public sealed class ParallelismTests : IDisposable
{
    // Large enough to split (m·n·k above every path's ParallelMinWork) into more parts than any cap below.
    private const int M = 96;
    private const int N = 256;
    private const int K = 64;

    private readonly int _cap = Parallelism.MaxThreads;
    private readonly float[] _a = GemmReference.RandomMatrix<float>(new Random(1), M, K);
    private readonly float[] _b = GemmReference.RandomMatrix<float>(new Random(2), K, N);

    public ParallelismTests() => Parallelism.ReleaseWorkers();

    public void Dispose()
    {
        Parallelism.MaxThreads = _cap;
        Parallelism.ReleaseWorkers();
    }

    [Fact]
    public void A_call_with_the_default_threads_starts_no_thread()
    {
        float[] c = new float[M * N];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, _a, K, _b, N, 0f, c, N);
        double[] cd = new double[M * N];
        Gemm.Multiply(MatrixOp.Transpose, MatrixOp.None, M, N, K, 1d, new double[K * M], M, new double[K * N], N, 0d, cd, N);

        Assert.Equal(0, Parallelism.WorkerThreads);
        Assert.Equal(0, WorkerThreadsOfThisProcess());
    }

    [Fact]
    public void Threads_are_held_to_the_process_wide_cap()
    {
        Parallelism.MaxThreads = 2;
        Multiply(threads: 8);
        Assert.Equal(1, Parallelism.WorkerThreads);

        Parallelism.MaxThreads = 3;
        Multiply(threads: 0);
        Assert.Equal(2, Parallelism.WorkerThreads);

        Parallelism.MaxThreads = 1;
        float[] single = Multiply(threads: 0);
        Assert.Equal(Multiply(threads: 1), single);
        Assert.Equal(2, Parallelism.WorkerThreads);
    }

    [Fact]
    public void Releasing_ends_the_worker_threads_and_a_later_call_starts_them_again()
    {
        Parallelism.MaxThreads = 3;
        float[] expected = Multiply(threads: 1);
        Assert.Equal(expected, Multiply(threads: 3));
        Assert.Equal(2, Parallelism.WorkerThreads);
        Assert.Equal(2, WorkerThreadsOfThisProcess());

        Parallelism.ReleaseWorkers();

        Assert.Equal(0, Parallelism.WorkerThreads);
        Assert.Equal(0, WorkerThreadsOfThisProcess());
        Assert.Equal(expected, Multiply(threads: 3));
        Assert.Equal(2, Parallelism.WorkerThreads);
    }

    [Fact]
    public void Releasing_while_calls_run_leaves_every_result_bit_identical()
    {
        Parallelism.MaxThreads = 3;
        float[] expected = Multiply(threads: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool Running() => clock.ElapsedMilliseconds < 400;
        int mismatches = 0;
        int calls = 0;
        Thread[] callers = [.. Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            float[] c = new float[M * N];
            while (Running())
            {
                Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, _a, K, _b, N, 0f, c, N, threads: 0);
                Interlocked.Increment(ref calls);
                if (!c.AsSpan().SequenceEqual(expected))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        }))];
        var releaser = new Thread(() =>
        {
            while (Running())
            {
                Parallelism.ReleaseWorkers();
                Thread.Yield();
            }
        });
        Thread[] all = [.. callers, releaser];
        foreach (Thread thread in all)
        {
            thread.Start();
        }

        Assert.All(all, thread => Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "calls or releases stopped making progress"));
        Assert.Equal(0, mismatches);
        Assert.True(calls > 0);
        Parallelism.ReleaseWorkers();
        Assert.Equal(0, WorkerThreadsOfThisProcess());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void The_cap_rejects_fewer_than_one_thread(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = value);
        Assert.Equal("value", error.ParamName);
        Assert.Equal(_cap, Parallelism.MaxThreads);
    }

    private float[] Multiply(int threads)
    {
        float[] c = new float[M * N];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, M, N, K, 1f, _a, K, _b, N, 0f, c, N, threads);
        return c;
    }

    /// <summary>
    /// Threads of this process the OS knows as the library's workers (Linux truncates names to 15 bytes), polled
    /// for a few seconds since a joined thread may still be leaving the kernel; the library's own count elsewhere.
    /// </summary>
    private static int WorkerThreadsOfThisProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Parallelism.WorkerThreads;
        }

        int expected = Parallelism.WorkerThreads;
        int count = -1;
        for (int attempt = 0; attempt < 100 && count != expected; attempt++)
        {
            if (attempt > 0)
            {
                Thread.Sleep(50);
            }

            count = 0;
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    count += File.ReadAllText(Path.Combine(task, "comm")).StartsWith("FastBackprop wo", StringComparison.Ordinal) ? 1 : 0;
                }
                catch (IOException)
                {
                    // The thread exited between listing and reading.
                }
            }
        }

        return count;
    }
}
