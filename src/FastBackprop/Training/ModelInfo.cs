using System.Text;

namespace FastBackprop.Training;

/// <summary>
/// What a checkpoint carries beside the network: the input preprocessing, the name of each class and free-form
/// string metadata (data set, date, command line, …), all stored in a version-2 checkpoint. A version-1 checkpoint
/// loads with an empty one.
/// </summary>
/// <remarks>
/// <see cref="InferenceModel{T}.FromNetwork"/> checks it against the network:
/// <see cref="Scaling"/> covers <c>Architecture.Inputs</c> features;
/// <see cref="ClassNames"/> is empty or names every class a label can take, <c>max(Outputs, 2)</c> (one output reads
/// as classes 0 and 1); no name, key or value is null; a class name is at most <see cref="Checkpoint.MaxClassNameBytes"/>
/// bytes of UTF-8, there are at most <see cref="Checkpoint.MaxClassNames"/>, and the metadata's keys and values
/// with their 4-byte length prefixes total at most <see cref="Checkpoint.MaxMetadataBytes"/> bytes; no string holds a
/// lone surrogate (UTF-8 cannot store one). <see cref="Checkpoint"/>'s Save applies the same check, and its Load
/// rejects a file whose model info breaks a rule.
/// </remarks>
public sealed record ModelInfo
{
    /// <summary>The transform applied to raw input rows before the network, or null for none.</summary>
    public InputScaling? Scaling { get; init; }

    /// <summary>The name of each class index, or empty.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Free-form key/value strings, compared by ordinal key.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// A copy of <paramref name="info"/> (empty for null) whose collections the caller can no longer change, checked
    /// against <paramref name="architecture"/> by the rules in the remarks.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is broken; names <paramref name="name"/>.</exception>
    internal static ModelInfo Checked(ModelInfo? info, MlpArchitecture architecture, string name)
    {
        if (info is null)
        {
            return new ModelInfo();
        }

        if (info.Scaling is { } scaling && scaling.FeatureCount != architecture.Inputs)
        {
            throw new ArgumentException(
                $"{name}.Scaling covers {scaling.FeatureCount} features but the network takes {architecture.Inputs} inputs.", name);
        }

        ArgumentNullException.ThrowIfNull(info.ClassNames, $"{name}.ClassNames");
        ArgumentNullException.ThrowIfNull(info.Metadata, $"{name}.Metadata");
        string[] classNames = [.. info.ClassNames];
        int classes = Math.Max(architecture.Outputs, 2);
        if (classNames.Length != 0 && classNames.Length != classes)
        {
            throw new ArgumentException(
                $"{name}.ClassNames has {classNames.Length} names; the network's {architecture.Outputs} outputs take {classes} classes (or give none).", name);
        }

        if (classNames.Length > Checkpoint.MaxClassNames)
        {
            throw new ArgumentException(
                $"{name}.ClassNames has {classNames.Length} names; a checkpoint holds at most {Checkpoint.MaxClassNames} (give none for a network this wide).", name);
        }

        for (int c = 0; c < classNames.Length; c++)
        {
            int bytes = classNames[c] is null ? -1 : Utf8Length(classNames[c], $"{name}.ClassNames[{c}]", name);
            if (bytes < 0 || bytes > Checkpoint.MaxClassNameBytes)
            {
                throw new ArgumentException(
                    $"{name}.ClassNames[{c}] is {(bytes < 0 ? "null" : $"{bytes} bytes of UTF-8")}; a class name is a string of at most {Checkpoint.MaxClassNameBytes}.", name);
            }
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach ((string key, string value) in info.Metadata)
        {
            if (key is null || value is null || !metadata.TryAdd(key, value))
            {
                throw new ArgumentException($"{name}.Metadata holds a null or repeated key, or a null value (key {key ?? "null"}).", name);
            }

            total += 8 + (long)Utf8Length(key, $"{name}.Metadata key", name) + Utf8Length(value, $"{name}.Metadata[{key}]", name);
        }

        if (total > Checkpoint.MaxMetadataBytes)
        {
            throw new ArgumentException(
                $"{name}.Metadata takes {total} bytes (UTF-8 with length prefixes); a checkpoint holds at most {Checkpoint.MaxMetadataBytes}.", name);
        }

        return new ModelInfo { Scaling = info.Scaling, ClassNames = Array.AsReadOnly(classNames), Metadata = metadata.AsReadOnly() };
    }

    /// <summary>
    /// Bytes of <paramref name="text"/> in UTF-8. A lone surrogate has no UTF-8 form (a lenient encoder would store
    /// U+FFFD and load back another string), so it is refused, naming <paramref name="name"/>.
    /// </summary>
    private static int Utf8Length(string text, string what, string name)
    {
        try
        {
            return Checkpoint.StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{what} holds a lone surrogate (invalid UTF-16), which UTF-8 cannot store.", name);
        }
    }
}
