using System.Buffers;

namespace FastBackprop.Training;

/// <summary>
/// Everything one forward (and backward) pass of up to <see cref="Capacity"/> rows writes, rented once from
/// <see cref="ArrayPool{T}.Shared"/> and returned on <see cref="Dispose"/>. Per layer l with <c>n_l</c> units:
/// <c>Pre[l]</c> holds P_l = X·W + b and <c>Post[l]</c> holds Z_l = f(P_l) (the same array when f is Identity),
/// <c>Delta[l]</c> holds ∂J/∂Z_l and then, in place, ∂J/∂P_l, and in a training workspace <c>Slope[l]</c> holds
/// f′(P_l) where the activation computes it with f (<see cref="ActivationInfo.HasSlopeForward"/>), else null; all
/// <c>[Capacity × n_l]</c> row-major. Where Slope[l] is kept and no diagnostics are collected, the training forward
/// leaves X·W in Pre[l] without adding b, since nothing reads P_l again.
/// </summary>
internal sealed class Workspace<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Workspace(MlpArchitecture architecture, int capacity, bool training)
    {
        Capacity = capacity;
        int layers = architecture.Layers.Count;
        Pre = new T[layers][];
        Post = new T[layers][];
        Delta = new T[layers][];
        Slope = new T[layers][];
        for (int l = 0; l < layers; l++)
        {
            DenseLayer layer = architecture.Layers[l];
            int size = checked(capacity * layer.Outputs);
            Pre[l] = ArrayPool<T>.Shared.Rent(size);
            Post[l] = layer.Activation.Kind == ActivationKind.Identity ? Pre[l] : ArrayPool<T>.Shared.Rent(size);
            Delta[l] = ArrayPool<T>.Shared.Rent(size);
            Slope[l] = training && ActivationInfo.Of(layer.Activation.Kind).HasSlopeForward ? ArrayPool<T>.Shared.Rent(size) : null;
        }

        Targets = ArrayPool<T>.Shared.Rent(checked(capacity * architecture.Outputs));
        Output = ArrayPool<T>.Shared.Rent(checked(capacity * architecture.Outputs));
    }

    /// <summary>Rows this workspace holds.</summary>
    public int Capacity { get; }

    /// <summary>P_l per layer.</summary>
    public T[][] Pre { get; }

    /// <summary>Z_l per layer.</summary>
    public T[][] Post { get; }

    /// <summary>∂J/∂Z_l, then ∂J/∂P_l, per layer.</summary>
    public T[][] Delta { get; }

    /// <summary>f′(P_l) per layer where the forward pass computes it, else null.</summary>
    public T[]?[] Slope { get; }

    /// <summary><c>[Capacity × outputs]</c>: one-hot targets built from labels for heads that take dense targets.</summary>
    public T[] Targets { get; }

    /// <summary><c>[Capacity × outputs]</c>: predictions (probabilities for cross-entropy heads).</summary>
    public T[] Output { get; }

    public void Dispose()
    {
        for (int l = 0; l < Pre.Length; l++)
        {
            if (!ReferenceEquals(Post[l], Pre[l]))
            {
                ArrayPool<T>.Shared.Return(Post[l]);
            }

            ArrayPool<T>.Shared.Return(Pre[l]);
            ArrayPool<T>.Shared.Return(Delta[l]);
            if (Slope[l] is { } slope)
            {
                ArrayPool<T>.Shared.Return(slope);
            }
        }

        ArrayPool<T>.Shared.Return(Targets);
        ArrayPool<T>.Shared.Return(Output);
    }
}
