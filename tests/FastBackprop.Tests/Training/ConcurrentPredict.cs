using FastBackprop.Buffers;

namespace FastBackprop.Tests.Training;

/// <summary>
/// Many threads calling one predict at once, released together by a barrier each round: the harness behind the
/// "allocates nothing from eight threads" tests of <c>Mlp.Predict</c> and <c>InferenceModel.Predict</c>.
/// </summary>
internal static class ConcurrentPredict
{
    /// <summary>
    /// Runs rounds of four <paramref name="predict"/> calls per thread until <paramref name="streak"/> rounds in a row
    /// allocated exactly 0 B on every thread (at most 60 rounds), and asserts that streak and that every output
    /// equalled <paramref name="serial"/>. The pack-workspace pool is first given one workspace per thread, as a
    /// process that has run this many GEMMs at once holds.
    /// </summary>
    public static void AllocatesNothingOnceWarmAndEqualsSerial(int threads, float[] serial, Action<float[]> predict, int streak = 4)
    {
        PackWorkspace[] packs = [.. Enumerable.Range(0, threads).Select(_ => PackWorkspacePool.Get())];
        foreach (PackWorkspace pack in packs)
        {
            PackWorkspacePool.Return(pack);
        }

        long[] allocated = new long[threads];
        int[] mismatches = new int[threads];
        int rounds = -1;
        int zeroRounds = 0;
        bool done = false;
        using var barrier = new Barrier(threads, _ =>
        {
            // Phase 0 is the start line, not a round.
            if (++rounds > 0)
            {
                zeroRounds = allocated.All(a => a == 0) ? zeroRounds + 1 : 0;
                done = zeroRounds == streak || rounds == 60;
            }
        });
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            float[] output = new float[serial.Length];
            barrier.SignalAndWait();
            while (!Volatile.Read(ref done))
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 4; i++)
                {
                    predict(output);
                    mismatches[t] += output.AsSpan().SequenceEqual(serial) ? 0 : 1;
                }

                allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
                barrier.SignalAndWait();
            }
        }))];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.True(zeroRounds == streak, $"after {rounds} rounds the last allocated {string.Join(", ", allocated)} bytes per thread");
        Assert.Equal(new int[threads], mismatches);
    }
}
