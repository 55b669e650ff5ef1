using FastBackprop.Buffers;
using FastBackprop.Tests.Training;

namespace FastBackprop.Tests.Buffers;

/// <summary>The pool is process-wide: this runs in the collection that runs alone, so no GEMM elsewhere takes from it meanwhile.</summary>
[Collection(AllocationCollection.Name)]
public class PackWorkspacePoolTests
{
    /// <summary>
    /// However many workspaces were out at once, all come back and are handed out again: a pool bounded at
    /// max(4, 2 × cores) dropped the surplus, and 8 concurrent GEMM callers on 2 cores allocated on every call.
    /// </summary>
    [Fact]
    public void Pool_keeps_every_workspace_returned_up_to_the_peak_in_use()
    {
        int peak = Math.Max(16, 4 * Environment.ProcessorCount);
        PackWorkspace[] first = [.. Enumerable.Range(0, peak).Select(_ => PackWorkspacePool.Get())];
        foreach (PackWorkspace workspace in first)
        {
            PackWorkspacePool.Return(workspace);
        }

        PackWorkspace[] second = [.. Enumerable.Range(0, peak).Select(_ => PackWorkspacePool.Get())];
        foreach (PackWorkspace workspace in second)
        {
            PackWorkspacePool.Return(workspace);
        }

        Assert.Subset(second.ToHashSet(ReferenceEqualityComparer.Instance), first.ToHashSet(ReferenceEqualityComparer.Instance));
    }
}
