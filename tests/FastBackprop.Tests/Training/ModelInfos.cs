using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

/// <summary>Model infos shared by the checkpoint and inference-model tests, and their comparison by value.</summary>
public static class ModelInfos
{
    /// <summary>
    /// Every field in use for a network of <paramref name="inputs"/> inputs and <paramref name="classes"/> classes:
    /// a scaling with extreme finite values, non-ASCII class names, an empty key and value, and the keys "Ａ"
    /// (U+FF21) and "😀" (U+1F600), which sort one way by UTF-16 code units and the other by UTF-8 bytes.
    /// </summary>
    public static ModelInfo Full(int inputs, int classes) => new()
    {
        Scaling = new InputScaling(
            [.. Enumerable.Range(0, inputs).Select(c => c switch { 0 => 1.5, 1 => -2.0, 2 => 1e-300, _ => c * 0.25 })],
            [.. Enumerable.Range(0, inputs).Select(c => c switch { 0 => 0.5, 1 => 3.0, 2 => 1e300, _ => 1 + c })]),
        ClassNames = [.. Enumerable.Range(0, classes).Select(c => c switch { 0 => "cat", 1 => "café", 2 => "猫🐈", _ => $"class {c}" })],
        Metadata = new Dictionary<string, string>
        {
            ["bravo"] = "ünïcode ✓",
            ["alpha"] = "",
            [""] = "empty key",
            ["zé"] = "zed",
            ["\uFF21"] = "fullwidth A",
            ["😀"] = "grin",
        },
    };

    /// <summary>Asserts the two carry the same scaling (bit for bit), class names and metadata.</summary>
    public static void AssertEqual(ModelInfo expected, ModelInfo actual)
    {
        Assert.Equal(expected.Scaling is null, actual.Scaling is null);
        if (expected.Scaling is { } scaling)
        {
            Assert.Equal(scaling.Mean.ToArray(), actual.Scaling!.Mean.ToArray());
            Assert.Equal(scaling.Scale.ToArray(), actual.Scaling.Scale.ToArray());
        }

        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
