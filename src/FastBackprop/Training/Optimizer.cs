namespace FastBackprop.Training;

/// <summary>The update rule an <see cref="Mlp{T}"/> applies to its parameters θ with gradient g after each step.</summary>
public enum OptimizerKind
{
    /// <summary>Plain gradient descent, <c>θ ← θ − α·g</c>.</summary>
    Sgd,

    /// <summary>Heavy-ball momentum: <c>v ← μ·v + g</c>, <c>θ ← θ − α·v</c>; one state vector.</summary>
    Momentum,

    /// <summary>
    /// Adam (Kingma and Ba, 2015): <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g²</c>,
    /// <c>θ ← θ − α·m̂/(√v̂ + ε)</c> with <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>; two state vectors.
    /// </summary>
    Adam,
}

/// <summary>An optimizer and its hyperparameters.</summary>
/// <param name="Kind">The update rule.</param>
/// <param name="LearningRate">α.</param>
/// <param name="Momentum">μ of <see cref="OptimizerKind.Momentum"/>.</param>
/// <param name="Beta1">β₁ of <see cref="OptimizerKind.Adam"/>.</param>
/// <param name="Beta2">β₂ of <see cref="OptimizerKind.Adam"/>.</param>
/// <param name="Epsilon">ε of <see cref="OptimizerKind.Adam"/>.</param>
public sealed record OptimizerSettings(
    OptimizerKind Kind = OptimizerKind.Sgd,
    double LearningRate = 0.01,
    double Momentum = 0.9,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8)
{
    /// <summary>Number of parameter-sized state vectors the rule keeps: 0, 1 (momentum) or 2 (Adam).</summary>
    public int StateVectors => Kind switch
    {
        OptimizerKind.Momentum => 1,
        OptimizerKind.Adam => 2,
        _ => 0,
    };

    /// <summary>Throws when a hyperparameter is outside its domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite or out of range.</exception>
    internal void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown optimizer.");
        }

        if (!(double.IsFinite(LearningRate) && LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be finite and positive.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "momentum must lie in [0, 1).");
        }

        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), $"β₁ = {Beta1} and β₂ = {Beta2} must lie in [0, 1).");
        }

        if (!(double.IsFinite(Epsilon) && Epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "ε must be finite and positive.");
        }
    }
}
