using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class CsvDatasetTests
{
    [Fact]
    public void Reads_features_and_maps_text_labels_to_sorted_classes()
    {
        var data = CsvDataset.Read<float>(new StringReader("a,b,kind\n1,2,setosa\n3.5,-4e-1,virginica\n\n5,6,setosa\n"), labelColumn: 2);
        Assert.Equal(3, data.Rows);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(new[] { "setosa", "virginica" }, data.ClassNames);
        Assert.Equal(new[] { 0, 1, 0 }, data.Labels.ToArray());
        Assert.Equal(new[] { 1f, 2f, 3.5f, -0.4f, 5f, 6f }, data.Features.ToArray());
    }

    [Fact]
    public void Label_column_may_be_first_and_integer_labels_sort_numerically()
    {
        var data = CsvDataset.Read<double>(new StringReader("10,1,2\n2,3,4\n10,5,6\n"), labelColumn: 0);
        Assert.Equal(new[] { "2", "10" }, data.ClassNames);
        Assert.Equal(new[] { 1, 0, 1 }, data.Labels.ToArray());
        Assert.Equal(new[] { 1d, 2, 3, 4, 5, 6 }, data.Features.ToArray());
    }

    [Theory]
    [InlineData("", "no data rows")]
    [InlineData("1,2,3\n4,5\n", "line 2: found 2 fields, expected 3")]
    [InlineData("1,2,3\n4,x,0\n", "line 2 column 1: 'x' is not a finite number")]
    [InlineData("1,NaN,3\n", "line 1 column 1: 'NaN' is not a finite number")]
    [InlineData("7\n", "at least one feature")]
    [InlineData("1,2,3\n1e39,5,0\n", "line 2 column 0: '1e39' lies beyond ±3.4028235E+38, the finite range of float")]
    [InlineData("1,-1e39,0\n", "line 1 column 1: '-1e39' lies beyond ±3.4028235E+38, the finite range of float")]
    public void Bad_text_throws_InvalidDataException_naming_the_line(string text, string message)
    {
        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Read<float>(new StringReader(text)));
        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_column_outside_the_row_is_rejected()
    {
        var exception = Assert.Throws<InvalidDataException>(() => CsvDataset.Read<float>(new StringReader("1,2\n"), labelColumn: 5));
        Assert.Contains("label column 5", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_is_fixed_by_its_seed_and_partitions_the_rows()
    {
        var data = new Dataset<float>([.. Enumerable.Range(0, 100).Select(i => (float)i)], [.. Enumerable.Range(0, 100).Select(i => i % 3)], 1, ["a", "b", "c"]);
        var (train, test) = data.Split(0.2, seed: 5);
        var (train2, _) = data.Split(0.2, seed: 5);
        Assert.Equal(80, train.Rows);
        Assert.Equal(20, test.Rows);
        Assert.Equal(train.Features.ToArray(), train2.Features.ToArray());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), train.Features.ToArray().Concat(test.Features.ToArray()).Order());
        Assert.All(Enumerable.Range(0, 80), i => Assert.Equal((int)train.Features[i] % 3, train.Labels[i]));
    }

    /// <summary>1e39 is a finite double but beyond float's range: a double data set keeps it, a float one rejects it (not +∞).</summary>
    [Fact]
    public void A_value_beyond_the_element_types_range_is_rejected_only_for_that_type()
    {
        Assert.Equal(new[] { 1e39, 2 }, CsvDataset.Read<double>(new StringReader("1e39,2,0\n")).Features.ToArray());
        Assert.Throws<InvalidDataException>(() => CsvDataset.Read<double>(new StringReader("1e309,2,0\n")));
        Assert.Throws<InvalidDataException>(() => CsvDataset.Read<float>(new StringReader("1e39,2,0\n")));
    }
}
