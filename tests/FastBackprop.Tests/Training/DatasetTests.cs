using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class DatasetTests
{
    /// <summary>Three rows of two features: row r holds (2r, 2r + 1), label r.</summary>
    private static Dataset<float> Small() => new([0, 1, 2, 3, 4, 5], [0, 1, 2], 2, ["a", "b", "c"]);

    /// <summary>row × FeatureCount would wrap (int.MinValue × 2 = 0) and silently read row 0: every row outside [0, Rows) throws.</summary>
    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void Row_outside_the_data_set_throws_ArgumentOutOfRangeException(int row)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Small().Row(row));
        Assert.Equal("row", exception.ParamName);
    }

    [Fact]
    public void Row_returns_the_rows_features()
    {
        Assert.Equal(new[] { 4f, 5f }, Small().Row(2).ToArray());
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(3)]
    public void Subset_with_a_row_outside_the_data_set_throws_naming_rows_and_the_position(int row)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Small().Subset([1, row]));
        Assert.Equal("rows", exception.ParamName);
        Assert.Contains("rows[1]", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>3000 rows × 2²⁰ features does not fit one array: an ArgumentException naming rows, not an OverflowException.</summary>
    [Fact]
    public void Subset_too_large_for_one_array_throws_ArgumentException_naming_rows()
    {
        var wide = new Dataset<float>(new float[1 << 20], [0], 1 << 20, ["only"]);
        var exception = Assert.Throws<ArgumentException>(() => wide.Subset(new int[3000]));
        Assert.Equal("rows", exception.ParamName);
        Assert.Contains("3000 × 1048576", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subset_copies_the_listed_rows_in_order()
    {
        Dataset<float> subset = Small().Subset([2, 0, 2]);
        Assert.Equal(new[] { 4f, 5f, 0f, 1f, 4f, 5f }, subset.Features);
        Assert.Equal(new[] { 2, 0, 2 }, subset.Labels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(int.MinValue)]
    public void Constructor_rejects_a_feature_count_below_one(int featureCount)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset<float>([], [], featureCount, ["a"]));
        Assert.Equal("featureCount", exception.ParamName);
    }

    /// <summary>labels.Length × featureCount is taken in 64 bits: 2 × 2³¹⁻¹ does not wrap to a length that matches.</summary>
    [Fact]
    public void Constructor_rejects_lengths_that_disagree_without_wrapping()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[6], [0, 0], int.MaxValue, ["a"]));
        Assert.Equal("features", exception.ParamName);
        Assert.Contains("2 × 2147483647", exception.Message, StringComparison.Ordinal);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[5], [0, 0, 0], 2, ["a"])).ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MinValue)]
    public void Constructor_rejects_a_label_outside_the_class_names_naming_its_row(int label)
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset<float>([0, 1, 2, 3], [0, label], 2, ["a", "b", "c"]));
        Assert.Equal("labels", exception.ParamName);
        Assert.Contains($"labels[1] is {label}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_rejects_a_missing_class_name()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Dataset<float>([0, 1], [0], 2, ["a", null!]));
        Assert.Equal("classNames", exception.ParamName);
    }
}
