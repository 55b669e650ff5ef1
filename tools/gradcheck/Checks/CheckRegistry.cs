using FastBackprop.GradCheck.Engine;

namespace FastBackprop.GradCheck.Checks;

/// <summary>Sizes of the generated inputs and the seed they come from (<c>--size</c>, <c>--shape</c>, <c>--seed</c>).</summary>
/// <param name="Size">Length of the elementwise checks.</param>
/// <param name="M">Rows of GEMM's C, batch of the dense layer, rows of softmax and losses.</param>
/// <param name="N">Columns of C, outputs of the dense layer, classes of softmax and losses.</param>
/// <param name="K">The inner dimension of GEMM, inputs of the dense layer.</param>
public sealed record CaseShapes(int Size = 131, int M = 7, int N = 37, int K = 19, int Seed = 1);

/// <summary>A named check and how to build its case for given shapes.</summary>
public sealed record CheckDefinition(string Kernel, string Group, Func<CaseShapes, CheckCase> Create);

/// <summary>
/// The checks a run can choose from. <see cref="Default"/> holds one per kernel of FastBackprop; tests build
/// registries in which one kernel's backward is replaced by a deliberately wrong one.
/// </summary>
public sealed class CheckRegistry(IEnumerable<CheckDefinition> definitions)
{
    public IReadOnlyList<CheckDefinition> Definitions { get; } = [.. definitions];

    /// <summary>Every kernel of the library.</summary>
    public static CheckRegistry Default => new([.. ActivationChecks.All, .. SoftmaxChecks.All, .. LossChecks.All, .. GemmChecks.All, .. LayerChecks.All, .. NetworkChecks.All]);

    /// <summary>The same registry with <paramref name="kernel"/>'s op replaced (its inputs and tolerances kept).</summary>
    public CheckRegistry Replace(string kernel, GradOp op) => Replace(kernel, _ => op);

    /// <summary>The same registry with <paramref name="kernel"/>'s op replaced by one built for the run's shapes.</summary>
    public CheckRegistry Replace(string kernel, Func<CaseShapes, GradOp> op)
    {
        if (!Definitions.Any(d => d.Kernel == kernel))
        {
            throw new ArgumentException($"No check named '{kernel}'.", nameof(kernel));
        }

        return new(Definitions.Select(d => d.Kernel == kernel ? d with { Create = shapes => d.Create(shapes) with { Op = op(shapes) } } : d));
    }

    /// <summary>The same registry with <paramref name="definition"/> added at the end.</summary>
    public CheckRegistry Add(CheckDefinition definition) => new(Definitions.Append(definition));

    /// <summary>
    /// The definitions a filter selects: a filter names a kernel (<c>gemm-nt</c>), a kernel's prefix up to a dash
    /// (<c>gemm</c> selects every <c>gemm-*</c>), or a group (<c>activations</c>). No filters: all.
    /// </summary>
    public IReadOnlyList<CheckDefinition> Select(IReadOnlyCollection<string> filters) =>
        filters.Count == 0 ? Definitions : [.. Definitions.Where(d => filters.Any(f => Matches(d, f)))];

    /// <summary>Whether <paramref name="filter"/> selects anything.</summary>
    public bool Knows(string filter) => Definitions.Any(d => Matches(d, filter));

    private static bool Matches(CheckDefinition definition, string filter) =>
        string.Equals(definition.Group, filter, StringComparison.OrdinalIgnoreCase)
        || string.Equals(definition.Kernel, filter, StringComparison.OrdinalIgnoreCase)
        || definition.Kernel.StartsWith(filter + "-", StringComparison.OrdinalIgnoreCase);
}
