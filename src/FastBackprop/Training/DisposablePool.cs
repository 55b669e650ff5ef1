using Microsoft.Extensions.ObjectPool;

namespace FastBackprop.Training;

/// <summary>
/// Pools inference workspaces (<see cref="Mlp{T}"/>'s and <see cref="InferenceModel{T}"/>'s); disposing it disposes
/// every retained item, and an item handed back after that is disposed at once.
/// </summary>
/// <remarks>
/// An item is made only when none is free, and none is ever dropped (no retention bound), so the pool grows to the
/// peak number of concurrent callers and from then on allocates nothing. A bound below that peak (it was
/// 2 × ProcessorCount) drops the surplus on return and allocates again on every call beyond it. The items live as
/// long as their owner, not as long as the threads that used them.
/// </remarks>
/// <param name="create">Makes one item (a workspace of the owner's shape).</param>
internal sealed class DisposablePool<TItem>(Func<TItem> create) : IDisposable
    where TItem : class, IDisposable
{
    private readonly ObjectPool<TItem> _pool = new DefaultObjectPoolProvider { MaximumRetained = int.MaxValue }.Create(new Policy(create));

    public TItem Get() => _pool.Get();

    public void Return(TItem item) => _pool.Return(item);

    public void Dispose() => (_pool as IDisposable)?.Dispose();

    private sealed class Policy(Func<TItem> create) : PooledObjectPolicy<TItem>
    {
        public override TItem Create() => create();

        public override bool Return(TItem obj) => true;
    }
}
