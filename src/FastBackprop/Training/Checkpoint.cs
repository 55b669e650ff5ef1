using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

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
/// <para>
/// Load accepts every file Save writes: it checks the architecture through <see cref="MlpArchitecture"/>'s
/// constructor, the optimizer through <see cref="OptimizerSettings.Validate"/> and the step and epoch by the rules of
/// <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/>, which reject a bad value when it is set, before any save.
/// </para>
/// <para>
/// The temporary file is named <c>.{name}.{12 hex digits}.tmp</c>, where <c>{name}</c> is the target's file name cut
/// (between characters) so that the whole name fits 255 bytes of UTF-8, the longest file name Linux and macOS allow
/// (which also bounds its UTF-16 length, Windows' limit): any legal target name gets a legal temporary name.
/// A saver killed mid-save leaves its temporary behind; the next save of the same target deletes those of dead
/// savers (see <see cref="Save{T}"/>).
/// </para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Largest layer count a checkpoint may declare: <see cref="MlpArchitecture.MaxLayers"/>.</summary>
    public const int MaxLayers = MlpArchitecture.MaxLayers;

    /// <summary>Most class names a <see cref="ModelInfo"/> may hold.</summary>
    public const int MaxClassNames = 65536;

    /// <summary>Longest class name, in bytes of UTF-8.</summary>
    public const int MaxClassNameBytes = 4096;

    /// <summary>Most bytes a <see cref="ModelInfo"/>'s metadata may take: keys and values in UTF-8, each with a 4-byte length.</summary>
    public const int MaxMetadataBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => "FBPCKPT\u001a"u8;

    private const int HeaderBytes = 24;
    private const int LayerBytes = 20;
    private const int TrailerBytes = 4;

    /// <summary>Longest file name, in bytes of UTF-8, that Linux and macOS accept (NAME_MAX).</summary>
    private const int MaxFileNameBytes = 255;

    /// <summary>Hex digits of the random part of a temporary name (48 bits: no two savers draw the same).</summary>
    private const int TemporaryRandomDigits = 12;

    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// How long before our own temporary file another one must have been last written to count as a dead saver's.
    /// A live saver holds its temporary locked from creation until after its rename, except for the instant
    /// between creating and locking it (on Unix, where locking is a second call); this margin covers that instant.
    /// It is measured against our temporary's time stamp, so the file system's clock is compared with itself.
    /// </summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="path"/> atomically: a temporary file beside it, flushed to
    /// disk and renamed over it while still open.
    /// </summary>
    /// <remarks>
    /// Before writing, it deletes the temporary files of the same target that killed savers left: those that no
    /// process holds open (a live saver keeps its temporary open and locked until after the rename, and a lock dies
    /// with its process) and that were last written <see cref="StaleAfter"/> or more before this save began. Where the
    /// file system does not enforce locks (found by trying to open our own temporary a second time: NFS, a disabled
    /// locking switch), a live saver cannot be told from a dead one and nothing is deleted.
    /// </remarks>
    /// <exception cref="IOException">The file cannot be written; the previous file at <paramref name="path"/>, if any, is unchanged.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="network"/> is disposed (nothing is written).</exception>
    public static void Save<T>(Mlp<T> network, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        network.ThrowIfDisposed();
        ThrowIfBigEndian();
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string stem = TemporaryStem(Path.GetFileName(full));
        string temporary = TemporaryPath(directory, stem);

        // FileShare.Delete: on Windows the file can be renamed while open and no one else can open it; on Unix it is
        // a shared lock, which a cleaner's exclusive lock cannot take.
        using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete, 1 << 16);
        try
        {
            DeleteStaleTemporaries(directory, stem, temporary, File.GetLastWriteTimeUtc(file.SafeFileHandle));
            var writer = new ChecksumWriter(file);
            Write(ref writer, network);
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(crc, writer.Checksum);
            file.Write(crc);
            file.Flush(flushToDisk: true);

            // Renamed while still open and locked, so that no other saver's cleanup can take it for a dead saver's.
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>A new temporary path for the target whose stem is <paramref name="stem"/>: <c>.{stem}.{12 hex}.tmp</c>.</summary>
    /// <remarks>
    /// The random part needs to be unique, not unpredictable, so it comes from <see cref="Random.Shared"/>: a
    /// cryptographic generator would make every save load the platform's crypto library (OpenSSL on Linux), which a
    /// minimal container may lack. The file is created with <see cref="FileMode.CreateNew"/>, so a clash fails loudly.
    /// </remarks>
    internal static string TemporaryPath(string directory, string stem) =>
        Path.Combine(
            directory,
            $".{stem}.{Random.Shared.NextInt64(1L << (4 * TemporaryRandomDigits)).ToString($"x{TemporaryRandomDigits}", CultureInfo.InvariantCulture)}{TemporarySuffix}");

    /// <summary>
    /// The longest prefix of <paramref name="fileName"/>, cut between characters (Unicode scalar values), whose
    /// temporary name <c>.{stem}.{12 hex}.tmp</c> fits <see cref="MaxFileNameBytes"/> bytes of UTF-8.
    /// </summary>
    internal static string TemporaryStem(string fileName)
    {
        int budget = MaxFileNameBytes - (2 + TemporaryRandomDigits + TemporarySuffix.Length);
        int bytes = 0;
        int chars = 0;
        foreach (Rune rune in fileName.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > budget)
            {
                break;
            }

            chars += rune.Utf16SequenceLength;
        }

        return fileName[..chars];
    }

    /// <summary>Whether <paramref name="fileName"/> is a temporary name <see cref="TemporaryPath"/> makes for <paramref name="stem"/>.</summary>
    internal static bool IsTemporaryOf(string fileName, string stem)
    {
        ReadOnlySpan<char> name = fileName;
        if (name.Length != stem.Length + 2 + TemporaryRandomDigits + TemporarySuffix.Length || name[0] != '.' || !name[1..].StartsWith(stem, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> tail = name[(1 + stem.Length)..];
        return tail[0] == '.' && !tail.Slice(1, TemporaryRandomDigits).ContainsAnyExcept("0123456789abcdef") && tail.EndsWith(TemporarySuffix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Deletes the temporaries of <paramref name="stem"/>'s target that dead savers left (see <see cref="Save{T}"/>):
    /// last written <see cref="StaleAfter"/> before <paramref name="now"/>, our own temporary's time stamp, and
    /// openable exclusively. Best effort: a file that cannot be examined or deleted is left alone.
    /// </summary>
    private static void DeleteStaleTemporaries(string directory, string stem, string own, DateTime now)
    {
        if (!LocksAreEnforced(own))
        {
            return;
        }

        try
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true };
            foreach (FileInfo candidate in new DirectoryInfo(directory).EnumerateFiles("*" + TemporarySuffix, options))
            {
                if (!IsTemporaryOf(candidate.Name, stem) || candidate.LastWriteTimeUtc > now - StaleAfter)
                {
                    continue;
                }

                try
                {
                    // The exclusive open fails while a live saver holds the file; DeleteOnClose removes it while we hold it.
                    File.OpenHandle(candidate.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose).Dispose();
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Whether an exclusive open of <paramref name="own"/>, which this save holds open, is refused as a sharing
    /// conflict: only then does a refused open tell a live saver's temporary from a dead one's.
    /// </summary>
    private static bool LocksAreEnforced(string own)
    {
        try
        {
            File.OpenHandle(own, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
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

    /// <summary>Reads a checkpoint from a stream that holds it from position 0 to its end; see <see cref="Load{T}(string, int, int, MlpArchitecture?)"/>.</summary>
    /// <remarks>
    /// A non-seekable stream (a pipe, a network or decompression stream) is first read to its end into memory, which
    /// grows only with the bytes that actually arrive, never with a size the file declares; the checks then run on
    /// that copy. Such a stream longer than 2 GiB cannot be copied: use a path or a seekable stream.
    /// </remarks>
    public static Mlp<T> Load<T>(Stream stream, int maxBatch, int threads = 1, MlpArchitecture? expected = null, string sourceName = "checkpoint")
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Guard.SupportedType<T>();
        ThrowIfBigEndian();
        if (!stream.CanSeek)
        {
            // The copy's length bounds every size read from it, as a file's does.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Load<T>(copy, maxBatch, threads, expected, sourceName);
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
            if (hasBias is not (0 or 1))
            {
                throw reader.Invalid($"has an invalid layer {l}: bias flag {hasBias}");
            }

            // Outputs, kind and α are checked with the rest of the architecture, by its constructor.
            layers[l] = new DenseLayer(outputs, new Activation((ActivationKind)kind, alpha), hasBias == 1);
        }

        int lossKind = reader.ReadInt32();
        int optimizerKind = reader.ReadInt32();
        var optimizer = new OptimizerSettings(
            (OptimizerKind)optimizerKind, reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        ulong seed = (ulong)reader.ReadInt64();
        long step = reader.ReadInt64();
        int epoch = reader.ReadInt32();
        int parameterCount = reader.ReadInt32();

        // The rules the API applies when a network is built and its step and epoch set: what Save wrote passes them.
        MlpArchitecture architecture;
        try
        {
            architecture = new MlpArchitecture(inputs, layers, (LossKind)lossKind);
            optimizer.Validate();
            Mlp<T>.CheckStep(step);
            Mlp<T>.CheckEpoch(epoch);
        }
        catch (ArgumentException exception)
        {
            throw reader.Invalid($"describes an invalid network: {exception.Message}");
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
