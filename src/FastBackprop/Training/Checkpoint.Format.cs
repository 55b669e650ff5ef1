using System.Buffers.Binary;
using System.Text;

namespace FastBackprop.Training;

/// <summary>The byte layout of a checkpoint, versions 1 and 2: the one writer and the one header reader (see docs/CHECKPOINT.md).</summary>
public static partial class Checkpoint
{
    /// <summary>Bit 0 of a version-2 file's flags: step, epoch and the optimizer's state vectors are present.</summary>
    private const int TrainingStateFlag = 1;

    /// <summary>Magic (8) and version (4): what every version starts with.</summary>
    private const int PrefixBytes = 12;

    private const int LayerBytes = 20;
    private const int TrailerBytes = 4;

    /// <summary>Per scaled feature: its mean and its scale, float64 each.</summary>
    private const int ScalingBytesPerFeature = 16;

    /// <summary>A string's int32 byte-length prefix.</summary>
    private const int LengthPrefixBytes = 4;

    private static ReadOnlySpan<byte> Magic => "FBPCKPT\u001a"u8;

    /// <summary>UTF-8 that throws on a lone surrogate (writing) or an invalid sequence (reading) instead of replacing it with U+FFFD.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Writes a version-2 checkpoint of <paramref name="network"/> and <paramref name="info"/> (already checked) to
    /// <paramref name="stream"/>, closing it with the CRC-32 of every byte written before, computed as they pass, so
    /// that the stream need not seek.
    /// </summary>
    private static void Write<T>(Stream stream, Mlp<T> network, ModelInfo info, bool includeTrainingState)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MlpArchitecture architecture = network.Architecture;
        OptimizerSettings optimizer = network.Optimizer;
        var writer = new ChecksumWriter(stream);
        writer.Write(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteInt32(Unsafe.SizeOf<T>());
        writer.WriteInt32(includeTrainingState ? TrainingStateFlag : 0);
        writer.WriteInt32(architecture.Inputs);
        writer.WriteInt32(architecture.Layers.Count);
        foreach (DenseLayer layer in architecture.Layers)
        {
            writer.WriteInt32(layer.Outputs);
            writer.WriteInt32((int)layer.Activation.Kind);
            writer.WriteInt32(layer.HasBias ? 1 : 0);
            writer.WriteDouble(layer.Activation.Alpha);
        }

        writer.WriteInt32((int)architecture.Loss);
        writer.WriteInt32((int)optimizer.Kind);
        writer.WriteDouble(optimizer.LearningRate);
        writer.WriteDouble(optimizer.Momentum);
        writer.WriteDouble(optimizer.Beta1);
        writer.WriteDouble(optimizer.Beta2);
        writer.WriteDouble(optimizer.Epsilon);
        writer.WriteInt64((long)network.Seed);
        WriteInfo(ref writer, info);
        if (includeTrainingState)
        {
            writer.WriteInt64(network.Step);
            writer.WriteInt32(network.Epoch);
        }

        writer.WriteInt32(network.ParameterCount);
        writer.Write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.Parameters));
        for (int s = 0; includeTrainingState && s < optimizer.StateVectors; s++)
        {
            writer.Write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.OptimizerState(s)));
        }

        Span<byte> crc = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, writer.Checksum);
        stream.Write(crc);
    }

    /// <summary>Scaling (F, F means, F scales), class names (C, C strings), metadata (M, M key/value pairs in byte order of the keys).</summary>
    private static void WriteInfo(ref ChecksumWriter writer, ModelInfo info)
    {
        if (info.Scaling is { } scaling)
        {
            writer.WriteInt32(scaling.FeatureCount);
            writer.Write(MemoryMarshal.AsBytes(scaling.Mean));
            writer.Write(MemoryMarshal.AsBytes(scaling.Scale));
        }
        else
        {
            writer.WriteInt32(0);
        }

        writer.WriteInt32(info.ClassNames.Count);
        foreach (string name in info.ClassNames)
        {
            writer.WriteString(StrictUtf8.GetBytes(name));
        }

        // Sorted by the keys' UTF-8 bytes (Unicode code point order), which a reader in any language can check.
        (byte[] Key, byte[] Value)[] entries = [.. info.Metadata.Select(entry => (StrictUtf8.GetBytes(entry.Key), StrictUtf8.GetBytes(entry.Value)))];
        Array.Sort(entries, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        writer.WriteInt32(entries.Length);
        foreach ((byte[] key, byte[] value) in entries)
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }
    }

    /// <summary>
    /// Checks the magic, the version, the checksum and the element type, then reads and checks every field before
    /// the parameters, each size against the bytes left before anything sized by it is allocated. Leaves the reader
    /// at the first parameter, with exactly the parameters and the stored state vectors left before the checksum.
    /// </summary>
    /// <exception cref="InvalidDataException">The first problem found, naming the source.</exception>
    private static CheckpointHeader ReadHeader<T>(BoundedReader reader, MlpArchitecture? expected)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (reader.Remaining < PrefixBytes)
        {
            throw reader.Invalid(
                $"is truncated: {Math.Max(reader.Remaining + TrailerBytes, 0)} bytes, fewer than the {PrefixBytes + TrailerBytes} of magic, version and checksum");
        }

        Span<byte> magic = stackalloc byte[8];
        reader.Read(magic);
        if (!magic.SequenceEqual(Magic))
        {
            throw reader.Invalid("is not a FastBackprop checkpoint (wrong magic bytes)");
        }

        uint version = (uint)reader.ReadInt32();
        if (version is not (1 or FormatVersion))
        {
            throw reader.Invalid($"has format version {version}; this library reads versions 1 to {FormatVersion}");
        }

        reader.VerifyChecksum();

        int elementSize = reader.ReadInt32();
        if (elementSize != Unsafe.SizeOf<T>())
        {
            throw reader.Invalid($"holds {ElementName(elementSize)} parameters; {typeof(T).Name} was requested");
        }

        // Version 1 has no flags and always carries the training state.
        int flags = version == 1 ? TrainingStateFlag : reader.ReadInt32();
        if ((flags & ~TrainingStateFlag) != 0)
        {
            throw reader.Invalid($"sets unknown flag bits 0x{flags & ~TrainingStateFlag:X8}; this library knows bit 0 (training state) only");
        }

        bool hasTrainingState = (flags & TrainingStateFlag) != 0;
        MlpArchitecture architecture = ReadArchitecture(reader, out OptimizerSettings optimizer, out ulong seed);
        (long Step, int Epoch) state = (0, 0);
        if (version == 1)
        {
            state = ReadTrainingState<T>(reader);
        }

        ModelInfo info = version == 1 ? new ModelInfo() : ReadInfo(reader, architecture);
        if (version != 1 && hasTrainingState)
        {
            state = ReadTrainingState<T>(reader);
        }

        int parameterCount = reader.ReadInt32();
        int stateVectors = hasTrainingState ? optimizer.StateVectors : 0;
        long vectors = 1 + stateVectors;
        if (architecture.ParameterCount != parameterCount || vectors * parameterCount * elementSize != reader.Remaining)
        {
            throw reader.Invalid(
                $"declares {parameterCount} parameters for {architecture} (which has {architecture.ParameterCount}) and {stateVectors} stored state vectors: " +
                $"{vectors} × {parameterCount} × {elementSize} bytes, but {reader.Remaining} bytes remain before the checksum");
        }

        if (expected is not null && !expected.Equals(architecture))
        {
            throw reader.Invalid($"holds {architecture}, not the expected {expected}");
        }

        return new CheckpointHeader((int)version, architecture, optimizer, seed, info, hasTrainingState, state.Step, state.Epoch, parameterCount);
    }

    /// <summary>Inputs, layers, loss, optimizer settings and seed, checked by the rules the API applies when it builds them.</summary>
    private static MlpArchitecture ReadArchitecture(BoundedReader reader, out OptimizerSettings optimizer, out ulong seed)
    {
        int inputs = reader.ReadInt32();
        int layerCount = reader.ReadInt32();
        if (inputs < 1)
        {
            throw reader.Invalid($"declares {inputs} inputs");
        }

        if (layerCount < 1 || layerCount > MaxLayers || (long)layerCount * LayerBytes > reader.Remaining)
        {
            throw reader.Invalid($"declares {layerCount} layers, which do not fit its {reader.Remaining} remaining bytes (or exceed {MaxLayers})");
        }

        var layers = new DenseLayer[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            int outputs = reader.ReadInt32();
            int kind = reader.ReadInt32();
            int hasBias = reader.ReadInt32();
            double alpha = reader.ReadDouble();
            if (hasBias is not (0 or 1))
            {
                throw reader.Invalid($"has an invalid layer {l}: bias flag {hasBias}");
            }

            // Outputs, kind and α are checked with the rest of the architecture, by its constructor.
            layers[l] = new DenseLayer(outputs, new Activation((ActivationKind)kind, alpha), hasBias == 1);
        }

        int lossKind = reader.ReadInt32();
        int optimizerKind = reader.ReadInt32();
        optimizer = new OptimizerSettings(
            (OptimizerKind)optimizerKind, reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        seed = (ulong)reader.ReadInt64();
        try
        {
            var architecture = new MlpArchitecture(inputs, layers, (LossKind)lossKind);
            optimizer.Validate();
            return architecture;
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"describes an invalid network: {exception.Message}");
        }
    }

    /// <summary>Step (int64) and epoch (int32), by the rules of <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/>, so that a saved state always loads.</summary>
    private static (long Step, int Epoch) ReadTrainingState<T>(BoundedReader reader)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        long step = reader.ReadInt64();
        int epoch = reader.ReadInt32();
        try
        {
            Mlp<T>.CheckStep(step);
            Mlp<T>.CheckEpoch(epoch);
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"holds an invalid training state: {exception.Message}");
        }

        return (step, epoch);
    }

    /// <summary>Version 2's scaling, class names and metadata, checked at last by <see cref="ModelInfo.Checked"/> as Save checked them.</summary>
    private static ModelInfo ReadInfo(BoundedReader reader, MlpArchitecture architecture)
    {
        var info = new ModelInfo
        {
            Scaling = ReadScaling(reader, architecture.Inputs),
            ClassNames = ReadClassNames(reader, architecture.Outputs),
            Metadata = ReadMetadata(reader),
        };
        try
        {
            return ModelInfo.Checked(info, architecture, "info");
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"holds invalid model info: {exception.Message}");
        }
    }

    /// <summary>F (0 = none, else the network's inputs), F means, F scales; by <see cref="InputScaling"/>'s constructor's rules.</summary>
    private static InputScaling? ReadScaling(BoundedReader reader, int inputs)
    {
        int features = reader.ReadInt32();
        if (features == 0)
        {
            return null;
        }

        if (features != inputs)
        {
            throw reader.Invalid($"declares an input scaling of {features} features for a network of {inputs} inputs (it must be 0, for none, or {inputs})");
        }

        if ((long)features * ScalingBytesPerFeature > reader.Remaining)
        {
            throw reader.Invalid($"declares an input scaling of {features} features, whose {ScalingBytesPerFeature} bytes each do not fit its {reader.Remaining} remaining bytes");
        }

        double[] mean = new double[features];
        double[] scale = new double[features];
        reader.Read(MemoryMarshal.AsBytes(mean.AsSpan()));
        reader.Read(MemoryMarshal.AsBytes(scale.AsSpan()));
        try
        {
            return new InputScaling(mean, scale);
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"holds an invalid input scaling: {exception.Message}");
        }
    }

    /// <summary>C (0, or max(outputs, 2): one name per class a label can take), then C strings.</summary>
    private static string[] ReadClassNames(BoundedReader reader, int outputs)
    {
        int count = reader.ReadInt32();
        int classes = Math.Max(outputs, 2);
        if (count == 0)
        {
            return [];
        }

        if (count != classes)
        {
            throw reader.Invalid($"declares {count} class names; its {outputs} outputs take {classes} classes (or 0 names)");
        }

        if (count > MaxClassNames || (long)count * LengthPrefixBytes > reader.Remaining)
        {
            throw reader.Invalid($"declares {count} class names, more than the {MaxClassNames} allowed or than its {reader.Remaining} remaining bytes hold");
        }

        string[] names = new string[count];
        for (int c = 0; c < count; c++)
        {
            names[c] = Decode(reader, reader.ReadString(MaxClassNameBytes, $"class name {c}", "class-name limit"), $"class name {c}");
        }

        return names;
    }

    /// <summary>
    /// M, then M key/value strings with keys strictly increasing in byte order (so sorted and unique), all of it
    /// within <see cref="MaxMetadataBytes"/> counted as <see cref="ModelInfo"/> counts it (8 + key + value bytes per entry).
    /// </summary>
    private static Dictionary<string, string> ReadMetadata(BoundedReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || (long)count * 2 * LengthPrefixBytes > Math.Min(reader.Remaining, MaxMetadataBytes))
        {
            throw reader.Invalid(
                $"declares {count} metadata entries, which do not fit its {reader.Remaining} remaining bytes or the {MaxMetadataBytes}-byte metadata limit");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[]? previousKey = null;

        // What the strings of this and the later entries may still take: the limit less the bytes so far and the
        // 8-byte prefixes of the entries not read yet.
        long budget = MaxMetadataBytes - ((long)count * 2 * LengthPrefixBytes);
        for (int i = 0; i < count; i++)
        {
            byte[] key = reader.ReadString(budget, $"metadata key {i}", "metadata limit");
            if (previousKey is not null && key.AsSpan().SequenceCompareTo(previousKey) <= 0)
            {
                throw reader.Invalid(
                    $"has metadata key {i} that {(key.AsSpan().SequenceEqual(previousKey) ? "repeats" : "sorts before")} key {i - 1} (keys must be unique and sorted by their UTF-8 bytes)");
            }

            budget -= key.Length;
            byte[] value = reader.ReadString(budget, $"metadata value {i}", "metadata limit");
            budget -= value.Length;
            metadata.Add(Decode(reader, key, $"metadata key {i}"), Decode(reader, value, $"metadata value {i}"));
            previousKey = key;
        }

        return metadata;
    }

    private static string Decode(BoundedReader reader, byte[] utf8, string what)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw reader.Invalid($"has a {what} that is not valid UTF-8");
        }
    }

    private static string ElementName(int size) => size switch
    {
        4 => "float",
        8 => "double",
        _ => $"{size}-byte",
    };
}
