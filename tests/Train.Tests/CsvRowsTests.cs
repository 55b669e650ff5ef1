namespace FastBackprop.Train.Tests;

public sealed class CsvRowsTests
{
    private static CsvRows Read(string text, char delimiter = ',', int labelColumn = -1) =>
        CsvRows.Read(new StringReader(text), delimiter, columns => CsvRows.ResolveColumn(labelColumn, columns), "t.csv");

    [Fact]
    public void Quoted_fields_may_hold_the_delimiter_quotes_and_line_breaks()
    {
        CsvRows rows = Read("\"width, cm\",\"say \"\"hi\"\"\",class\n1.5,2,\"Iris, setosa\"\n3,4,\"two\nlines\"\n");

        Assert.Equal(["width, cm", "say \"hi\"", "class"], rows.Header!);
        Assert.Equal([1.5f, 2f, 3f, 4f], rows.Features);
        Assert.Equal(["Iris, setosa", "two\nlines"], rows.Labels!);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public void Another_delimiter_splits_the_fields_and_commas_stay_inside_them(char delimiter)
    {
        string d = delimiter.ToString();
        CsvRows rows = Read($"a{d}b{d}label\n1{d}2{d}x,y\n3{d}4{d}z\n", delimiter);

        Assert.Equal(2, rows.FeatureCount);
        Assert.Equal([1f, 2f, 3f, 4f], rows.Features);
        Assert.Equal(["x,y", "z"], rows.Labels!);
    }

    [Fact]
    public void A_first_row_of_numbers_is_data_and_any_text_in_a_feature_makes_it_a_header()
    {
        CsvRows numeric = Read("1,2,0\n3,4,1\n");
        CsvRows named = Read("1,2,setosa\n3,4,virginica\n");
        CsvRows header = Read("1,width,label\n3,4,1\n");

        Assert.Null(numeric.Header);
        Assert.Equal(2, numeric.Rows);
        Assert.Null(named.Header);
        Assert.Equal(["setosa", "virginica"], named.Labels!);
        Assert.NotNull(header.Header);
        Assert.Equal(1, header.Rows);
    }

    [Fact]
    public void The_label_column_may_be_first_and_blank_lines_and_crlf_and_spaces_are_accepted()
    {
        CsvRows rows = Read("label, a , b\r\n\r\n x ,1, 2\r\ny,3,4\r\n\r\n", labelColumn: 0);

        Assert.Equal([1f, 2f, 3f, 4f], rows.Features);
        Assert.Equal(["x", "y"], rows.Labels!);
    }

    [Fact]
    public void Without_a_label_column_every_field_is_a_feature()
    {
        CsvRows rows = CsvRows.Read(new StringReader("1,2,3\n4,5,6\n"), ',', _ => null, "t.csv");

        Assert.Null(rows.Labels);
        Assert.Equal(3, rows.FeatureCount);
        Assert.Equal(2, rows.Rows);
    }

    [Theory]
    [InlineData("1,2,0\n3,0\n", "t.csv line 2: 2 fields, but the first line has 3.")]
    [InlineData("1,2,0\n3,,0\n", "t.csv line 2 column 1: the field is empty; every feature needs a number.")]
    [InlineData("1,2,0\n3,1e39,0\n", "t.csv line 2 column 1: '1e39' lies beyond ±3.4028235E+38, the finite range of float.")]
    [InlineData("1,2,0\n3,NaN,0\n", "t.csv line 2 column 1: 'NaN' is not a finite number.")]
    [InlineData("a,b,c\n", "t.csv: no data rows.")]
    [InlineData("", "t.csv: no data rows.")]
    [InlineData("label\nx\n", "t.csv line 1: 1 field leave no feature column (delimiter ',').")]
    public void A_bad_file_is_one_message_naming_the_line_and_column(string text, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(text));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_label_column_outside_the_row_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("1,2,0\n", labelColumn: 3));

        Assert.Equal("t.csv: the label column is outside the 3 fields of line 1.", error.Message);
    }

    [Fact]
    public void Integer_labels_are_ordered_numerically_and_names_ordinally()
    {
        Assert.Equal(["2", "9", "10"], ClassLabels.Discover(["10", "2", "9", "2"]));
        Assert.Equal(["Setosa", "setosa", "virginica"], ClassLabels.Discover(["virginica", "setosa", "Setosa"]));
    }

    [Fact]
    public void A_label_the_model_does_not_know_is_named_with_its_row()
    {
        var error = Assert.Throws<InvalidDataException>(() => ClassLabels.Indices(["a", "b", "c"], ["a", "b"], "t.csv"));

        Assert.Equal("t.csv data row 3: label 'c' is not one of the model's classes (a, b).", error.Message);
        Assert.Equal([1, 0], ClassLabels.Indices(["b", "a"], ["a", "b"], "t.csv"));
    }
}
