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
        Assert.Equal(new[] { 4f, 5f, 0f, 1f, 4f, 5f }, subset.Features.ToArray());
        Assert.Equal(new[] { 2, 0, 2 }, subset.Labels.ToArray());
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

    /// <summary>The constructors copy: the caller's arrays and class-name list, changed afterwards, leave the data set as it was checked.</summary>
    [Fact]
    public void Constructors_copy_so_later_changes_to_the_callers_arrays_do_not_reach_the_data_set()
    {
        float[] features = [0, 1, 2, 3];
        int[] labels = [0, 1];
        List<string> names = ["a", "b"];
        var classified = new Dataset<float>(features, labels, 2, names);
        float[] targets = [10, 20];
        var regression = new Dataset<float>(features, targets, 2, 1);
        features[0] = 99;
        labels[1] = 7;
        names[0] = "changed";
        names.Add("c");
        targets[1] = -1;

        Assert.Equal([0f, 1, 2, 3], classified.Features.ToArray());
        Assert.Equal([0, 1], classified.Labels.ToArray());
        Assert.Equal(["a", "b"], classified.ClassNames);
        Assert.Equal(2, classified.ClassCount);
        Assert.Equal([0f, 1, 2, 3], regression.Features.ToArray());
        Assert.Equal([10f, 20], regression.Targets.ToArray());
    }

    /// <summary>No public member hands out an array, and the class names refuse writes through IList.</summary>
    [Fact]
    public void The_public_surface_has_no_writable_view_of_the_rows()
    {
        var properties = typeof(Dataset<float>).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
        Assert.All(properties, p => Assert.False(p.PropertyType.IsArray, $"{p.Name} is an array"));
        Assert.Throws<NotSupportedException>(() => ((IList<string>)Small().ClassNames)[0] = "x");
        Assert.Throws<NotSupportedException>(() => ((IList<string>)new Dataset<float>([1], [2], 1, 1).ClassNames).Add("x"));
    }

    [Fact]
    public void Scaled_maps_every_row_keeps_labels_and_targets_and_leaves_the_original()
    {
        var scaling = new InputScaling([1, -1], [2, 4]);
        Dataset<float> original = Small();
        Dataset<float> scaled = original.Scaled(scaling);
        Assert.Equal([-0.5f, 0.5f, 0.5f, 1, 1.5f, 1.5f], scaled.Features.ToArray());
        Assert.Equal([0, 1, 2], scaled.Labels.ToArray());
        Assert.Equal(original.ClassNames, scaled.ClassNames);
        Assert.Equal([0f, 1, 2, 3, 4, 5], original.Features.ToArray());

        Dataset<float> regression = new Dataset<float>([0, 1, 2, 3], [7, 8], 2, 1).Scaled(scaling);
        Assert.True(regression.HasTargets);
        Assert.Equal([-0.5f, 0.5f, 0.5f, 1], regression.Features.ToArray());
        Assert.Equal([7f, 8], regression.Targets.ToArray());
    }

    [Fact]
    public void Scaled_rejects_a_scaling_of_another_feature_count_naming_scaling()
    {
        var exception = Assert.Throws<ArgumentException>(() => Small().Scaled(new InputScaling([0, 0, 0], [1, 1, 1])));
        Assert.Equal("scaling", exception.ParamName);
        Assert.Contains("3 features", exception.Message, StringComparison.Ordinal);
    }
}
