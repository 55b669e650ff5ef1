using System.Globalization;
using System.Text;

namespace FastBackprop.Training;

/// <summary>
/// Saves and loads an <see cref="Mlp{T}"/> — architecture, weights, optimizer settings, seed, the
/// <see cref="ModelInfo"/> (input scaling, class names, metadata) and optionally the training state (optimizer
/// state vectors, step, epoch) — in a versioned, self-describing binary format closed by a CRC-32.
/// </summary>
/// <remarks>
/// <para>
/// Format version 2, every field little-endian, offsets in bytes (docs/CHECKPOINT.md specifies every field, limit
/// and rejection, and version 1):
/// </para>
/// <code>
/// 0     8  magic: ASCII "FBPCKPT" then 0x1A
/// 8     4  format version, uint32 = 2
/// 12    4  element size e, int32: 4 = float, 8 = double
/// 16    4  flags, int32: bit 0 = training state present; every other bit 0
/// 20    4  inputs n_0, int32 ≥ 1
/// 24    4  layer count L, int32 in [1, 4096]
/// 28  20·L per layer: outputs int32 ≥ 1, ActivationKind int32, has-bias int32 (0 or 1), activation α float64
/// …     4  LossKind, int32
/// …     4  OptimizerKind, int32
/// …    40  learning rate, momentum, β₁, β₂, ε: float64 each
/// …     8  seed, uint64
/// …     4  scaled features F, int32: 0 (no scaling) or n_0
/// …  16·F  F means, then F scales: float64 each (finite; scale &gt; 0)
/// …     4  class names C, int32: 0 or max(outputs, 2), at most MaxClassNames
/// …     …  C strings: int32 byte length ≤ MaxClassNameBytes, then UTF-8
/// …     4  metadata entries M, int32 ≥ 0
/// …     …  M pairs of strings (key, value), keys strictly increasing in UTF-8 byte order; 8 + key + value bytes
///          per entry total at most MaxMetadataBytes
/// …     8  [training state] step, int64 ≥ 0
/// …     4  [training state] epoch, int32 ≥ 0
/// …     4  parameter count P, int32: must equal the architecture's
/// …   P·e  parameters (Mlp.Parameters: per layer W row-major then b)
/// …  S·P·e [training state] optimizer state vectors (S = 0 SGD, 1 momentum v, 2 Adam m then v)
/// end-4 4  CRC-32 (zlib's) of every byte before it
/// </code>
/// <para>
/// Version 1 has no flags, no scaling, class names or metadata, and always the training state, whose step and
/// epoch follow the seed; <see cref="Load{T}(Stream, int, out ModelInfo, int, MlpArchitecture?, string)"/> reads
/// it with an empty <see cref="ModelInfo"/>.
/// </para>
/// <para>
/// <see cref="Save{T}(Mlp{T}, string, ModelInfo, bool)"/> writes a temporary file in the target's directory,
/// flushes it to disk and renames it over the target, so a crash mid-save leaves the previous checkpoint intact.
/// Load checks the checksum first, then every size against the bytes actually left in the file before it allocates
/// anything sized by the file, and throws <see cref="InvalidDataException"/> naming the source and the first problem.
/// </para>
/// <para>
/// Load accepts every file Save writes: it checks the architecture through <see cref="MlpArchitecture"/>'s
/// constructor, the optimizer through <see cref="OptimizerSettings.Validate"/>, the step and epoch by the rules of
/// <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/> and the scaling, class names and metadata by the rules
/// of <see cref="InputScaling"/> and <see cref="ModelInfo"/>, which Save applies before it writes a byte.
/// </para>
/// <para>
/// The temporary file is named <c>.{name}.{12 hex digits}.tmp</c>, where <c>{name}</c> is the target's file name cut
/// (between characters) so that the whole name fits 255 bytes of UTF-8, the longest file name Linux and macOS allow
/// (which also bounds its UTF-16 length, Windows' limit): any legal target name gets a legal temporary name.
/// A saver killed mid-save leaves its temporary behind; the next save of the same target deletes those of dead
/// savers (see <see cref="Save{T}(Mlp{T}, string, ModelInfo, bool)"/>).
/// </para>
/// </remarks>
public static partial class Checkpoint
{
    /// <summary>The format version <see cref="Save{T}(Mlp{T}, string, ModelInfo, bool)"/> writes; Load reads versions 1 and 2.</summary>
    public const int FormatVersion = 2;

    /// <summary>Largest layer count a checkpoint may declare: <see cref="MlpArchitecture.MaxLayers"/>.</summary>
    public const int MaxLayers = MlpArchitecture.MaxLayers;

    /// <summary>Most class names a <see cref="ModelInfo"/> may hold.</summary>
    public const int MaxClassNames = 65536;

    /// <summary>Longest class name, in bytes of UTF-8.</summary>
    public const int MaxClassNameBytes = 4096;

    /// <summary>Most bytes a <see cref="ModelInfo"/>'s metadata may take: keys and values in UTF-8, each with a 4-byte length.</summary>
    public const int MaxMetadataBytes = 1 << 20;

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
    /// Writes <paramref name="network"/> and <paramref name="info"/> to <paramref name="path"/> atomically: a
    /// temporary file beside it, flushed to disk and renamed over it while still open.
    /// </summary>
    /// <remarks>
    /// Before writing, it deletes the temporary files of the same target that killed savers left: those that no
    /// process holds open (a live saver keeps its temporary open and locked until after the rename, and a lock dies
    /// with its process) and that were last written <see cref="StaleAfter"/> or more before this save began. Where the
    /// file system does not enforce locks (found by trying to open our own temporary a second time: NFS, a disabled
    /// locking switch), a live saver cannot be told from a dead one and nothing is deleted.
    /// </remarks>
    /// <param name="network">The network; its architecture, weights, optimizer settings and seed are always written.</param>
    /// <param name="path">The target file.</param>
    /// <param name="info">Scaling, class names and metadata to store (checked as <see cref="ModelInfo"/>'s remarks say), or none.</param>
    /// <param name="includeTrainingState">
    /// Whether to write the optimizer state vectors, <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/>, which
    /// resuming needs; a file to deploy can leave them out (<c>(S·P·e) + 12</c> bytes fewer).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="info"/> does not fit the network (names <c>info</c>); nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; the previous file at <paramref name="path"/>, if any, is unchanged.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="network"/> is disposed (nothing is written).</exception>
    public static void Save<T>(Mlp<T> network, string path, ModelInfo? info = null, bool includeTrainingState = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        network.ThrowIfDisposed();
        ModelInfo checkedInfo = ModelInfo.Checked(info, network.Architecture, nameof(info));
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
            Write(file, network, checkedInfo, includeTrainingState);
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

    /// <summary>
    /// Writes <paramref name="network"/> and <paramref name="info"/> to <paramref name="stream"/> at its current
    /// position, in the format <see cref="Save{T}(Mlp{T}, string, ModelInfo, bool)"/> writes to a file. Not atomic: the
    /// stream is the caller's, who decides when the bytes are complete (a failure can leave part of a checkpoint in it).
    /// </summary>
    /// <remarks>
    /// The checksum is computed as the bytes pass, so the stream need not seek (a pipe, a socket, a compressor). The
    /// stream is neither flushed nor disposed.
    /// </remarks>
    /// <param name="network">The network; its architecture, weights, optimizer settings and seed are always written.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="info">Scaling, class names and metadata to store (checked as <see cref="ModelInfo"/>'s remarks say), or none.</param>
    /// <param name="includeTrainingState">Whether to write the optimizer state vectors, step and epoch (see the path overload).</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="info"/> does not fit the network (names <c>info</c>) or <paramref name="stream"/> is not
    /// writable; nothing is written.
    /// </exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="network"/> is disposed (nothing is written).</exception>
    public static void Save<T>(Mlp<T> network, Stream stream, ModelInfo? info = null, bool includeTrainingState = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        network.ThrowIfDisposed();
        if (!stream.CanWrite)
        {
            throw new ArgumentException("stream is not writable.", nameof(stream));
        }

        ModelInfo checkedInfo = ModelInfo.Checked(info, network.Architecture, nameof(info));
        ThrowIfBigEndian();
        Write(stream, network, checkedInfo, includeTrainingState);
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
    /// Deletes the temporaries of <paramref name="stem"/>'s target that dead savers left (see <see cref="Save{T}(Mlp{T}, string, ModelInfo, bool)"/>):
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

    /// <summary>Reads a checkpoint (version 1 or 2) into a new network; see <see cref="Load{T}(Stream, int, out ModelInfo, int, MlpArchitecture?, string)"/>.</summary>
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
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Load<T>(path, maxBatch, out _, threads, expected);

    /// <summary>Reads a checkpoint from a stream; see <see cref="Load{T}(Stream, int, out ModelInfo, int, MlpArchitecture?, string)"/>.</summary>
    public static Mlp<T> Load<T>(Stream stream, int maxBatch, int threads = 1, MlpArchitecture? expected = null, string sourceName = "checkpoint")
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Load<T>(stream, maxBatch, out _, threads, expected, sourceName);

    /// <summary>Reads a checkpoint file into a new network and returns the <see cref="ModelInfo"/> it carries.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBatch">Most rows per training step of the returned network.</param>
    /// <param name="info">The file's scaling, class names and metadata; empty for a version-1 file.</param>
    /// <param name="threads">GEMM threads of the returned network (see <see cref="Mlp{T}"/>).</param>
    /// <param name="expected">When given, the checkpoint's architecture must equal it.</param>
    /// <exception cref="InvalidDataException">See <see cref="Load{T}(string, int, int, MlpArchitecture?)"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Mlp<T> Load<T>(string path, int maxBatch, out ModelInfo info, int threads = 1, MlpArchitecture? expected = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load<T>(file, maxBatch, out info, threads, expected, Path.GetFileName(path));
    }

    /// <summary>
    /// Reads a checkpoint from a stream that holds it from position 0 to its end into a new network, and returns the
    /// <see cref="ModelInfo"/> it carries.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A file saved without its training state loads with <see cref="Mlp{T}.Step"/> and <see cref="Mlp{T}.Epoch"/> 0
    /// and zeroed optimizer state: training it further (fine-tuning) starts with fresh moments and, for Adam, fresh
    /// bias corrections, under the optimizer settings and seed the file records.
    /// </para>
    /// <para>
    /// A non-seekable stream (a pipe, a network or decompression stream) is first read to its end into memory, which
    /// grows only with the bytes that actually arrive, never with a size the file declares; the checks then run on
    /// that copy. Such a stream longer than 2 GiB cannot be copied: use a path or a seekable stream.
    /// </para>
    /// </remarks>
    /// <param name="stream">The checkpoint; read, not disposed.</param>
    /// <param name="maxBatch">Most rows per training step of the returned network.</param>
    /// <param name="info">The file's scaling, class names and metadata; empty for a version-1 file.</param>
    /// <param name="threads">GEMM threads of the returned network (see <see cref="Mlp{T}"/>).</param>
    /// <param name="expected">When given, the checkpoint's architecture must equal it.</param>
    /// <param name="sourceName">Names the source in error messages.</param>
    /// <exception cref="InvalidDataException">See <see cref="Load{T}(string, int, int, MlpArchitecture?)"/>.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static Mlp<T> Load<T>(Stream stream, int maxBatch, out ModelInfo info, int threads = 1, MlpArchitecture? expected = null, string sourceName = "checkpoint")
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Guard.SupportedType<T>();
        ThrowIfBigEndian();
        using BoundedReader reader = BoundedReader.Open(stream, sourceName);
        CheckpointHeader header = ReadHeader<T>(reader, expected);
        var network = new Mlp<T>(header.Architecture, header.Optimizer, maxBatch, header.Seed, threads: threads);
        try
        {
            reader.Read(MemoryMarshal.AsBytes(network.Parameters));
            if (header.HasTrainingState)
            {
                for (int s = 0; s < header.Optimizer.StateVectors; s++)
                {
                    reader.Read(MemoryMarshal.AsBytes(network.OptimizerState(s)));
                }

                network.Step = header.Step;
                network.Epoch = header.Epoch;
            }

            info = header.Info;
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a checkpoint into an inference model without building a training network: the parameters go straight
    /// into the model's array and any optimizer state is skipped (it is covered by the checksum all the same).
    /// </summary>
    internal static InferenceModel<T> LoadInference<T>(Stream stream, string sourceName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Guard.SupportedType<T>();
        ThrowIfBigEndian();
        using BoundedReader reader = BoundedReader.Open(stream, sourceName);
        CheckpointHeader header = ReadHeader<T>(reader, expected: null);
        var model = new InferenceModel<T>(header.Architecture, header.Info);
        try
        {
            reader.Read(MemoryMarshal.AsBytes(model.WritableParameters));
            reader.Skip((long)header.StoredStateVectors * header.ParameterCount * Unsafe.SizeOf<T>());
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("checkpoints are read and written on little-endian machines only.");
        }
    }
}
