namespace FastBackprop.Threading;

/// <summary>A piece of parallel work: part <c>part</c> of <c>parts</c>, each part independent of the others.</summary>
internal abstract class PartitionedWork
{
    public abstract void Run(int part, int parts);
}

/// <summary>
/// Persistent background threads that run the parts of one <see cref="PartitionedWork"/> beside the calling
/// thread, which runs part 0. Nothing is allocated per call: each worker waits on its own semaphore, the caller
/// waits on one event, and the work object is the caller's (reused) own.
/// </summary>
/// <remarks>
/// One call at a time: <see cref="TryRun"/> returns false when another thread holds the team, and the caller then
/// does the work alone — results never depend on the number of parts, so that is only slower. Workers are
/// created on first use, up to the largest part count asked for, and live until <see cref="Release"/>.
/// Holding the gate means no worker is running a part: <see cref="TryRun"/> keeps it until every part is done,
/// so <see cref="Release"/>, which takes it too, never ends a worker mid-call, and a call that meets a release in
/// progress runs alone.
/// </remarks>
internal sealed class WorkerTeam
{
    /// <summary>The process's team, shared by every multi-threaded kernel.</summary>
    public static WorkerTeam Shared { get; } = new();

    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _done = new(false);
    private SemaphoreSlim[] _wake = [];
    private Thread[] _threads = [];
    private PartitionedWork? _work;
    private int _parts;
    private int _pending;

    /// <summary>The worker threads started and not yet released.</summary>
    public int WorkerCount => Volatile.Read(ref _threads).Length;

    /// <summary>Runs parts 1..parts−1 on workers and part 0 here and returns true after all are finished; false (nothing run) when the team is busy or <paramref name="parts"/> &lt; 2.</summary>
    public bool TryRun(PartitionedWork work, int parts)
    {
        if (parts < 2 || !_gate.TryEnter())
        {
            return false;
        }

        try
        {
            EnsureWorkers(parts - 1);
            _work = work;
            _parts = parts;
            _pending = parts - 1;
            _done.Reset();
            for (int i = 0; i < parts - 1; i++)
            {
                _wake[i].Release();
            }

            try
            {
                work.Run(0, parts);
            }
            finally
            {
                // The gate must not open while workers still run parts of this call.
                _done.Wait();
                _work = null;
            }

            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Ends every worker and waits for each to exit. Waits for a call in flight to finish first; later calls start
    /// new workers.
    /// </summary>
    public void Release()
    {
        _gate.Enter();
        try
        {
            // A worker woken while no work is set exits.
            _work = null;
            foreach (SemaphoreSlim wake in _wake)
            {
                wake.Release();
            }

            foreach (Thread thread in _threads)
            {
                thread.Join();
            }

            foreach (SemaphoreSlim wake in _wake)
            {
                wake.Dispose();
            }

            _wake = [];
            Volatile.Write(ref _threads, []);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void EnsureWorkers(int count)
    {
        if (_wake.Length >= count)
        {
            return;
        }

        var wake = new SemaphoreSlim[count];
        var threads = new Thread[count];
        Array.Copy(_wake, wake, _wake.Length);
        Array.Copy(_threads, threads, _threads.Length);
        for (int i = _wake.Length; i < count; i++)
        {
            var signal = new SemaphoreSlim(0);
            wake[i] = signal;
            int part = i + 1;
            threads[i] = new Thread(() => Work(part, signal)) { IsBackground = true, Name = $"FastBackprop worker {part}" };
            threads[i].Start();
        }

        _wake = wake;
        Volatile.Write(ref _threads, threads);
    }

    private void Work(int part, SemaphoreSlim wake)
    {
        while (true)
        {
            wake.Wait();
            PartitionedWork? work = _work;
            if (work is null)
            {
                return;
            }

            work.Run(part, _parts);
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}
