using System.Buffers;
using System.Buffers.Binary;

namespace FastBackprop.Training;

/// <summary>
/// Saves and loads an <see cref="Mlp{T}"/> — architecture, weights, optimizer and its state, step, epoch and
/// seed — in a versioned binary format with a CRC-32.
/// </summary>
/// <remarks>
/// <para>Format version 1, every field little-endian, offsets in bytes:</para>
/// <code>
/// 0     8  magic: ASCII "FBPCKPT" then 0x1A
/// 8     4  format version, uint32 = 1
/// 12    4  element size, int32: 4 = float, 8 = double
/// 16    4  inputs n_0, int32 ≥ 1
/// 20    4  layer count L, int32 in [1, 4096]
/// 24  20·L per layer: outputs int32 ≥ 1, ActivationKind int32, has-bias int32 (0 or 1), activation α float64
/// …     4  LossKind, int32
/// …     4  OptimizerKind, int32
/// …    40  learning rate, momentum, β₁, β₂, ε: float64 each
/// …     8  seed, uint64
/// …     8  step (optimizer updates so far), int64 ≥ 0
/// …     4  epoch, int32 ≥ 0
/// …     4  parameter count P, int32: must equal the architecture's
/// …   P·e  parameters (Mlp.Parameters: per layer W row-major then b)
/// …  S·P·e optimizer state vectors (S = 0 SGD, 1 momentum v, 2 Adam m then v)
/// end-4 4  CRC-32 (zlib's) of every byte before it
/// </code>
/// <para>
/// <see cref="Save{T}"/> writes a temporary file in the target's directory, flushes it to disk and renames it
/// over the target, so a crash mid-save leaves the previous checkpoint intact. <see cref="Load{T}(string, int, int, MlpArchitecture?)"/> checks the
/// checksum first, then every size against the bytes actually left in the file before it allocates anything
/// sized by the file, and throws <see cref="InvalidDataException"/> naming the first problem.
/// </para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Largest layer count a checkpoint may declare.</summary>
    public const int MaxLayers = 4096;

    private static ReadOnlySpan<byte> Magic => "FBPCKPT\u001a"u8;

    private const int HeaderBytes = 24;
    private const int LayerBytes = 20;
    private const int TrailerBytes = 4;

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically (temporary file, flush to disk, rename).</summary>
    /// <exception cref="IOException">The file cannot be written; the previous file at <paramref name="path"/>, if any, is unchanged.</exception>
    public static void Save<T>(Mlp<T> network, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfBigEndian();
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var writer = new ChecksumWriter(file);
                Write(ref writer, network);
                Span<byte> crc = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(crc, writer.Checksum);
                file.Write(crc);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Reads a checkpoint into a new network.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBatch">Most rows per training step of the returned network.</param>
    /// <param name="threads">GEMM threads of the returned network (see <see cref="Mlp{T}"/>).</param>
    /// <param name="expected">When given, the checkpoint's architecture must equal it.</param>
    /// <exception cref="InvalidDataException">
    /// The file is truncated, corrupted (checksum), of another format, version or element type, declares sizes
    /// that do not fit its length, holds values out of range, or does not match <paramref name="expected"/>.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Mlp<T> Load<T>(string path, int maxBatch, int threads = 1, MlpArchitecture? expected = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load<T>(file, maxBatch, threads, expected, Path.GetFileName(path));
    }

    /// <summary>Reads a checkpoint from a seekable stream; see <see cref="Load{T}(string, int, int, MlpArchitecture?)"/>.</summary>
    public static Mlp<T> Load<T>(Stream stream, int maxBatch, int threads = 1, MlpArchitecture? expected = null, string sourceName = "checkpoint")
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Guard.SupportedType<T>();
        ThrowIfBigEndian();
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable (its length bounds every size read from it).", nameof(stream));
        }

        var reader = new BoundedReader(stream, sourceName);
        if (reader.Remaining < HeaderBytes + TrailerBytes)
        {
            throw reader.Invalid($"is truncated: {reader.Remaining} bytes, fewer than the {HeaderBytes + TrailerBytes} of a header and checksum");
        }

        Span<byte> magic = stackalloc byte[8];
        reader.Read(magic);
        if (!magic.SequenceEqual(Magic))
        {
            throw reader.Invalid("is not a FastBackprop checkpoint (wrong magic bytes)");
        }

        uint version = (uint)reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw reader.Invalid($"has format version {version}; this library reads version {FormatVersion}");
        }

        reader.VerifyChecksum();

        int elementSize = reader.ReadInt32();
        if (elementSize != Unsafe.SizeOf<T>())
        {
            throw reader.Invalid($"holds {ElementName(elementSize)} parameters; {typeof(T).Name} was requested");
        }

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
            if (outputs < 1 || !Enum.IsDefined((ActivationKind)kind) || hasBias is not (0 or 1) || !double.IsFinite(alpha))
            {
                throw reader.Invalid($"has an invalid layer {l}: outputs {outputs}, activation {kind}, bias flag {hasBias}, α {alpha}");
            }

            layers[l] = new DenseLayer(outputs, ActivationFromFile((ActivationKind)kind, alpha), hasBias == 1);
        }

        int lossKind = reader.ReadInt32();
        int optimizerKind = reader.ReadInt32();
        var optimizer = new OptimizerSettings(
            (OptimizerKind)optimizerKind, reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        ulong seed = (ulong)reader.ReadInt64();
        long step = reader.ReadInt64();
        int epoch = reader.ReadInt32();
        int parameterCount = reader.ReadInt32();

        MlpArchitecture architecture;
        try
        {
            architecture = new MlpArchitecture(inputs, layers, (LossKind)lossKind);
            optimizer.Validate();
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"describes an invalid network: {exception.Message}");
        }

        if (step < 0 || epoch < 0)
        {
            throw reader.Invalid($"has step {step} and epoch {epoch}; neither may be negative");
        }

        long vectors = 1 + optimizer.StateVectors;
        if (architecture.ParameterCount != parameterCount || vectors * parameterCount * elementSize != reader.Remaining)
        {
            throw reader.Invalid(
                $"declares {parameterCount} parameters for {architecture} (which has {architecture.ParameterCount}) and {optimizer.StateVectors} state vectors: " +
                $"{vectors} × {parameterCount} × {elementSize} bytes, but {reader.Remaining} bytes remain before the checksum");
        }

        if (expected is not null && !expected.Equals(architecture))
        {
            throw reader.Invalid($"holds {architecture}, not the expected {expected}");
        }

        var network = new Mlp<T>(architecture, optimizer, maxBatch, seed, threads: threads);
        try
        {
            reader.Read(MemoryMarshal.AsBytes(network.Parameters));
            for (int s = 0; s < optimizer.StateVectors; s++)
            {
                reader.Read(MemoryMarshal.AsBytes(network.OptimizerState(s)));
            }

            network.Step = step;
            network.Epoch = epoch;
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static void Write<T>(ref ChecksumWriter writer, Mlp<T> network)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        MlpArchitecture architecture = network.Architecture;
        OptimizerSettings optimizer = network.Optimizer;
        writer.Write(Magic);
        writer.WriteInt32(FormatVersion);
        writer.WriteInt32(Unsafe.SizeOf<T>());
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
        writer.WriteInt64(network.Step);
        writer.WriteInt32(network.Epoch);
        writer.WriteInt32(network.ParameterCount);
        writer.Write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.Parameters));
        for (int s = 0; s < optimizer.StateVectors; s++)
        {
            writer.Write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)network.OptimizerState(s)));
        }
    }

    private static Activation ActivationFromFile(ActivationKind kind, double alpha) => new(kind, alpha);

    private static string ElementName(int size) => size switch
    {
        4 => "float",
        8 => "double",
        _ => $"{size}-byte",
    };

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("checkpoints are read and written on little-endian machines only.");
        }
    }

    /// <summary>Writes through to a stream and keeps the running CRC-32 of everything written.</summary>
    private struct ChecksumWriter(Stream stream)
    {
        private uint _crc = Crc32.Initial;

        public readonly uint Checksum => Crc32.Finish(_crc);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _crc = Crc32.Append(_crc, bytes);
            stream.Write(bytes);
        }

        public void WriteInt32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteInt64(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteDouble(double value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
            Write(bytes);
        }
    }

    /// <summary>Reads fields while tracking how many bytes are left before the trailing checksum.</summary>
    private sealed class BoundedReader(Stream stream, string sourceName)
    {
        private readonly long _end = stream.Length - TrailerBytes;

        public long Remaining => _end - stream.Position;

        public InvalidDataException Invalid(string problem) => new($"{sourceName} {problem}.");

        public void Read(Span<byte> destination)
        {
            if (destination.Length > Remaining)
            {
                throw Invalid($"is truncated: {destination.Length} more bytes needed at offset {stream.Position}, {Math.Max(Remaining, 0)} left");
            }

            stream.ReadExactly(destination);
        }

        public int ReadInt32()
        {
            Span<byte> bytes = stackalloc byte[4];
            Read(bytes);
            return BinaryPrimitives.ReadInt32LittleEndian(bytes);
        }

        public long ReadInt64()
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes);
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        public double ReadDouble()
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes);
            return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
        }

        /// <summary>Compares the CRC-32 of bytes [0, end − 4) with the stored one, then returns to the current position.</summary>
        public void VerifyChecksum()
        {
            long resume = stream.Position;
            stream.Position = 0;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                uint crc = Crc32.Initial;
                for (long left = _end; left > 0;)
                {
                    int chunk = (int)Math.Min(buffer.Length, left);
                    stream.ReadExactly(buffer, 0, chunk);
                    crc = Crc32.Append(crc, buffer.AsSpan(0, chunk));
                    left -= chunk;
                }

                stream.ReadExactly(buffer, 0, TrailerBytes);
                uint stored = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
                if (Crc32.Finish(crc) != stored)
                {
                    throw Invalid($"is corrupted: CRC-32 0x{Crc32.Finish(crc):X8} of its contents differs from the stored 0x{stored:X8}");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            stream.Position = resume;
        }
    }
}
