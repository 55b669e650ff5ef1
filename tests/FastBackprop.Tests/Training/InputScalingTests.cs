using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class InputScalingTests
{
    [Fact]
    public void Standardize_gives_mean_and_population_deviation_and_scale_1_for_a_constant_feature()
    {
        // Feature 0: 1, 2, 3, 6 (mean 3, population variance 3.5); feature 1 constant at 1e4 + 500.
        var data = new Dataset<double>([1, 10500, 2, 10500, 3, 10500, 6, 10500], [0, 1, 0, 1], 2, ["a", "b"]);
        InputScaling scaling = InputScaling.Standardize(data);
        Assert.Equal([3.0, 10500.0], scaling.Mean.ToArray());
        Assert.Equal(Math.Sqrt(3.5), scaling.Scale[0], 15);
        Assert.Equal(1.0, scaling.Scale[1]);
    }

    [Fact]
    public void Standardize_of_a_large_offset_keeps_the_spread()
    {
        // Sum-of-squares variance cancels here; two passes do not.
        var data = new Dataset<float>([1e7f + 1, 1e7f - 1], [0, 0], 1, ["a"]);
        Assert.Equal(1.0, InputScaling.Standardize(data).Scale[0], 12);
    }

    [Fact]
    public void Apply_in_place_equals_apply_into_a_copy()
    {
        var scaling = new InputScaling([1.0, -2, 0.5], [2.0, 4, 0.25]);
        float[] raw = [3, 2, 1, -1, -6, 0.75f];
        float[] copy = new float[raw.Length];
        scaling.Apply<float>(raw, 2, copy);
        Assert.Equal([1f, 1f, 2f, -1f, -1f, 1f], copy);
        scaling.Apply<float>(raw, 2, raw);
        Assert.Equal(copy, raw);
    }

    [Fact]
    public void Apply_rejects_wrong_lengths_and_partial_overlap_before_writing()
    {
        var scaling = new InputScaling([0, 0], [1, 1]);
        double[] raw = [1, 2, 3, 4];
        double[] destination = new double[4];
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaling.Apply<double>(raw, 2, destination.AsSpan(1))).ParamName);
        Assert.Equal("raw", Assert.Throws<ArgumentException>(() => scaling.Apply<double>(raw, 1, destination.AsSpan(0, 2))).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => scaling.Apply<double>(raw, -1, destination)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaling.Apply<double>(raw.AsSpan(0, 2), 1, raw.AsSpan(1, 2))).ParamName);
        Assert.Equal(new double[4], destination);
        Assert.Equal([1.0, 2, 3, 4], raw);
    }

    [Theory]
    [InlineData(double.NaN, 1)]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    [InlineData(0, double.PositiveInfinity)]
    public void Constructor_rejects_non_finite_means_and_non_positive_scales(double mean, double scale)
    {
        Assert.Throws<ArgumentException>(() => new InputScaling([mean], [scale]));
    }

    [Fact]
    public void Constructor_rejects_empty_and_mismatched_lengths()
    {
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => new InputScaling([], [])).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => new InputScaling([0, 0], [1])).ParamName);
    }
}
