using System.Buffers.Binary;

using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fastbackprop-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_directory, name);

    /// <summary>A small Adam-trained network saved to disk: its file bytes and the network.</summary>
    private (byte[] Bytes, Mlp<float> Network) Saved(OptimizerKind optimizer = OptimizerKind.Adam)
    {
        Dataset<float> data = Networks.Blobs<float>(64, 1);
        var architecture = new MlpArchitecture(
            64, [new DenseLayer(6, Activation.Tanh), new DenseLayer(10, Activation.Identity, HasBias: false)],
            LossKind.SoftmaxCrossEntropy);
        var network = new Mlp<float>(architecture, new OptimizerSettings(optimizer, 0.01), 16, 9);
        using (var trainer = new Trainer<float>(network, 16))
        {
            trainer.TrainEpoch(data);
        }

        string path = PathOf("saved.fbp");
        Checkpoint.Save(network, path);
        return (File.ReadAllBytes(path), network);
    }

    private static Mlp<float> LoadBytes(byte[] bytes, MlpArchitecture? expected = null) =>
        Checkpoint.Load<float>(new MemoryStream(bytes), 16, expected: expected);

    /// <summary>Rewrites the trailing CRC-32 so that a deliberately edited file passes the checksum (a hostile file).</summary>
    private static byte[] WithValidChecksum(byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), Crc32.Compute(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    public void Round_trip_restores_everything(OptimizerKind optimizer)
    {
        (byte[] bytes, Mlp<float> original) = Saved(optimizer);
        using (original)
        using (Mlp<float> loaded = LoadBytes(bytes, original.Architecture))
        {
            Assert.Equal(original.Architecture, loaded.Architecture);
            Assert.Equal(original.Optimizer, loaded.Optimizer);
            Assert.Equal(original.Parameters.ToArray(), loaded.Parameters.ToArray());
            for (int s = 0; s < optimizer switch { OptimizerKind.Sgd => 0, OptimizerKind.Momentum => 1, _ => 2 }; s++)
            {
                Assert.Equal(original.OptimizerState(s).ToArray(), loaded.OptimizerState(s).ToArray());
            }

            Assert.Equal(original.Step, loaded.Step);
            Assert.Equal(1, loaded.Epoch);
            Assert.Equal(original.Seed, loaded.Seed);
        }
    }

    [Fact]
    public void Resumed_training_is_bit_identical_to_uninterrupted_training()
    {
        Dataset<float> data = Networks.Blobs<float>(100, 2);
        using var straight = new Mlp<float>(Networks.Classifier(), new OptimizerSettings(OptimizerKind.Adam, 0.003), 16, 4);
        using (var trainer = new Trainer<float>(straight, 16))
        {
            trainer.TrainEpoch(data);
            Checkpoint.Save(straight, PathOf("middle.fbp"));
            trainer.TrainEpoch(data);
        }

        using Mlp<float> resumed = Checkpoint.Load<float>(PathOf("middle.fbp"), 16);
        using (var trainer = new Trainer<float>(resumed, 16))
        {
            trainer.TrainEpoch(data);
        }

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(2, resumed.Epoch);
    }

    [Fact]
    public void Save_replaces_the_previous_file_and_leaves_no_temporary_file()
    {
        (_, Mlp<float> network) = Saved();
        using (network)
        {
            network.Epoch = 42;
            Checkpoint.Save(network, PathOf("saved.fbp"));
            Assert.Equal(new[] { "saved.fbp" }, Directory.GetFiles(_directory).Select(System.IO.Path.GetFileName));
            using Mlp<float> loaded = Checkpoint.Load<float>(PathOf("saved.fbp"), 16);
            Assert.Equal(42, loaded.Epoch);
        }
    }

    [Fact]
    public void Failed_save_leaves_the_target_and_no_temporary_file()
    {
        (_, Mlp<float> network) = Saved();
        using (network)
        {
            // The target is a directory: the final rename fails after the temporary file was written.
            Directory.CreateDirectory(PathOf("occupied"));
            Assert.ThrowsAny<IOException>(() => Checkpoint.Save(network, PathOf("occupied")));
            Assert.True(Directory.Exists(PathOf("occupied")));
            Assert.Equal(new[] { "saved.fbp" }, Directory.GetFiles(_directory).Select(System.IO.Path.GetFileName));
        }
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        for (int length = 0; length < bytes.Length; length += length < 200 ? 1 : 97)
        {
            var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(bytes[..length]));
            Assert.False(string.IsNullOrWhiteSpace(exception.Message));
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_rejected_as_corrupted()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        for (int offset = 12; offset < bytes.Length; offset += 13)
        {
            byte[] corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x10;
            var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(corrupted));
            Assert.Contains("corrupted", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Wrong_magic_and_wrong_version_are_rejected()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        byte[] magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        Assert.Contains("not a FastBackprop checkpoint", Assert.Throws<InvalidDataException>(() => LoadBytes(magic)).Message, StringComparison.Ordinal);
        foreach (int unknown in new[] { 0, 3 })
        {
            byte[] version = (byte[])bytes.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(version.AsSpan(8), unknown);
            Assert.Contains($"format version {unknown}", Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(version))).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Element_type_and_architecture_mismatches_are_rejected()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        var exception = Assert.Throws<InvalidDataException>(() => Checkpoint.Load<double>(new MemoryStream(bytes), 16));
        Assert.Contains("float parameters; Double was requested", exception.Message, StringComparison.Ordinal);
        exception = Assert.Throws<InvalidDataException>(() => LoadBytes(bytes, Networks.Classifier()));
        Assert.Contains("not the expected", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sizes a hostile file claims (with a valid checksum) are checked against its length before any allocation they
    /// would size. Version 2 offsets: inputs at 20, layer count at 24, layer 0's outputs at 28, layer 1's at 48.
    /// </summary>
    [Theory]
    [InlineData(24, int.MaxValue)]
    [InlineData(24, 1 << 30)]
    [InlineData(20, int.MaxValue)]
    [InlineData(28, int.MaxValue)]
    [InlineData(28, -5)]
    [InlineData(48, 1 << 30)]
    public void Hostile_sizes_are_rejected_without_allocating_for_them(int offset, int value)
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        byte[] hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(offset), value);
        hostile = WithValidChecksum(hostile);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => LoadBytes(hostile));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Parameter_count_that_disagrees_with_the_file_length_is_rejected()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        // Header 28 + 2 layers × 20 + 4 + 4 + 40 + 8, then F, C, M (all 0), step 8 and epoch 4: the parameter count is at 148.
        byte[] hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(148), int.MaxValue);
        var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(hostile)));
        Assert.Contains("parameters", exception.Message, StringComparison.Ordinal);
        byte[] longer = [.. bytes[..^4], 0, 0, 0, 0, .. bytes[^4..]];
        Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(longer)));
    }

    /// <summary>
    /// File names up to NAME_MAX (255 bytes) save and load: the temporary name must fit too (a 44-byte suffix made
    /// 215–250-byte names fail with PathTooLongException). Multibyte names check that a shortened temporary name
    /// is cut between characters.
    /// </summary>
    [Theory]
    [InlineData("m", 251)]
    [InlineData("é", 125)]
    [InlineData("😀", 62)]
    [InlineData("a", 1)]
    public void Save_accepts_file_names_up_to_255_bytes(string character, int repeat)
    {
        string name = string.Concat(Enumerable.Repeat(character, repeat)) + ".fbp";
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(name) <= 255);
        (_, Mlp<float> network) = Saved();
        using (network)
        {
            File.Delete(PathOf("saved.fbp"));
            Checkpoint.Save(network, PathOf(name));
            Checkpoint.Save(network, PathOf(name));
            using Mlp<float> loaded = Checkpoint.Load<float>(PathOf(name), 16);
            Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.Equal(new[] { name }, Directory.GetFiles(_directory).Select(System.IO.Path.GetFileName));
        }
    }

    /// <summary>
    /// Save never writes what Load would refuse: networks at the edges of every field the API allows (extreme finite
    /// α, the largest step and epoch, each optimizer) save and load back unchanged.
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.Sgd, -1e308)]
    [InlineData(OptimizerKind.Momentum, 0.0)]
    [InlineData(OptimizerKind.Adam, double.Epsilon)]
    [InlineData(OptimizerKind.Adam, 1e308)]
    public void Every_network_the_API_can_build_saves_to_a_file_Load_accepts(OptimizerKind optimizer, double alpha)
    {
        var architecture = new MlpArchitecture(
            3,
            [new DenseLayer(4, Activation.LeakyRelu(alpha)), new DenseLayer(2, Activation.Elu(alpha), HasBias: false), new DenseLayer(2, Activation.Identity)],
            LossKind.SoftmaxCrossEntropy);
        using var network = new Mlp<double>(architecture, new OptimizerSettings(optimizer, 1e-300, 0, 0, 0, double.Epsilon), 2, ulong.MaxValue)
        {
            Step = long.MaxValue,
            Epoch = int.MaxValue,
        };
        Checkpoint.Save(network, PathOf("edge.fbp"));
        using Mlp<double> loaded = Checkpoint.Load<double>(PathOf("edge.fbp"), 2, expected: architecture);
        Assert.Equal(network.Optimizer, loaded.Optimizer);
        Assert.Equal(long.MaxValue, loaded.Step);
        Assert.Equal(int.MaxValue, loaded.Epoch);
        Assert.Equal(ulong.MaxValue, loaded.Seed);
        Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    /// <summary>Load's rules for a layer are MlpArchitecture's: a crafted file with α = NaN (valid checksum) is refused.</summary>
    [Fact]
    public void A_file_with_a_non_finite_activation_parameter_is_rejected()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        // Layer 0's α is the float64 at 28 + 12.
        byte[] hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(hostile.AsSpan(40), double.NaN);
        var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(hostile)));
        Assert.Contains("layer 0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_of_a_disposed_network_throws_and_leaves_the_previous_file()
    {
        (byte[] bytes, Mlp<float> network) = Saved();
        network.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Checkpoint.Save(network, PathOf("saved.fbp")));
        Assert.Equal(bytes, File.ReadAllBytes(PathOf("saved.fbp")));
        Assert.Equal(new[] { "saved.fbp" }, Directory.GetFiles(_directory).Select(System.IO.Path.GetFileName));
    }

    /// <summary>A temporary file of <paramref name="target"/> as a saver makes it, written and closed, last written <paramref name="age"/> ago.</summary>
    private string Temporary(string target, TimeSpan age)
    {
        string path = Checkpoint.TemporaryPath(_directory, Checkpoint.TemporaryStem(target));
        File.WriteAllBytes(path, new byte[100]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    /// <summary>
    /// A save deletes the temporaries that killed savers of its target left (closed, unlocked, older than
    /// StaleAfter), and nothing else: not a live saver's (held open, however old), not one just created (a saver
    /// between creating and locking it), not another target's, not a file of the user's that only looks similar.
    /// </summary>
    [Fact]
    public void Save_deletes_stale_temporaries_of_its_target_and_never_a_live_savers()
    {
        (_, Mlp<float> network) = Saved();
        using (network)
        {
            TimeSpan old = TimeSpan.FromHours(1);
            string[] dead = [Temporary("saved.fbp", old), Temporary("saved.fbp", Checkpoint.StaleAfter * 3)];
            string live = Temporary("saved.fbp", old);
            string fresh = Temporary("saved.fbp", TimeSpan.Zero);
            string other = Temporary("other.fbp", old);
            string lookalike = PathOf(".saved.fbp.notmine.tmp");
            File.WriteAllBytes(lookalike, []);
            File.SetLastWriteTimeUtc(lookalike, DateTime.UtcNow - old);
            using (new FileStream(live, FileMode.Open, FileAccess.Write, FileShare.Delete))
            {
                Checkpoint.Save(network, PathOf("saved.fbp"));
            }

            Assert.All(dead, path => Assert.False(File.Exists(path), path));
            Assert.All([live, fresh, other, lookalike], path => Assert.True(File.Exists(path), path));
            using Mlp<float> loaded = Checkpoint.Load<float>(PathOf("saved.fbp"), 16);
            Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
        }
    }

    /// <summary>The temporary name stays within 255 bytes and is cut between characters, and is recognised as the target's.</summary>
    [Theory]
    [InlineData("m", 251)]
    [InlineData("é", 125)]
    [InlineData("😀", 62)]
    [InlineData("model.fbp", 1)]
    public void Temporary_names_fit_255_bytes_and_belong_to_their_target(string character, int repeat)
    {
        string target = string.Concat(Enumerable.Repeat(character, repeat));
        string stem = Checkpoint.TemporaryStem(target);
        string name = System.IO.Path.GetFileName(Checkpoint.TemporaryPath(_directory, stem));
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(name), 1, 255);
        Assert.StartsWith(stem, target, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(stem[^1]));
        Assert.True(Checkpoint.IsTemporaryOf(name, stem));
        Assert.False(Checkpoint.IsTemporaryOf(name, stem + "x"));
        Assert.False(Checkpoint.IsTemporaryOf(name.ToUpperInvariant(), stem.ToUpperInvariant()) && name.ToUpperInvariant() != name);
    }

    /// <summary>
    /// A version-1 file written by the format-1 Save (3-4(tanh)-3 softmax, Adam, seed 7, Step 5, Epoch 2, no
    /// training; optimizer state s element i = 0.25·i + s), kept as bytes so that later format versions must still load it.
    /// </summary>
    private const string Version1Fixture =
        "RkJQQ0tQVBoBAAAABAAAAAMAAAACAAAABAAAAAIAAAABAAAAAAAAAAAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAMAAAACAAAAexSuR+F6hD/NzMzMzMzsP83MzMzMzOw/K4cW2c737z86jDDijnlFPgcAAAAAAAAABQAAAAAAAAACAAAAHAAAAIwnvj6twNG+fP0gP8YMZD9zrWg/x7MwP1Y2UL9cgTu/gZQ2vs0LJb9d35w9kc/bPgAAAAAAAAAAAAAAAAAAAAAUFFA/5Yc0P3M5uL0B3eY99ajmvqfof71t0yK/+KEtvxvAG7/lfY8+l8CePlaMz74AAAAAAACAPgAAAD8AAEA/AACAPwAAoD8AAMA/AADgPwAAAEAAABBAAAAgQAAAMEAAAEBAAABQQAAAYEAAAHBAAACAQAAAiEAAAJBAAACYQAAAoEAAAKhAAACwQAAAuEAAAMBAAADIQAAA0EAAANhAAACAPwAAoD8AAMA/AADgPwAAAEAAABBAAAAgQAAAMEAAAEBAAABQQAAAYEAAAHBAAACAQAAAiEAAAJBAAACYQAAAoEAAAKhAAACwQAAAuEAAAMBAAADIQAAA0EAAANhAAADgQAAA6EAAAPBAAAD4QOQu8zk=";

    [Fact]
    public void A_version_1_file_loads_with_its_weights_state_step_and_epoch()
    {
        var architecture = new MlpArchitecture(3, [new DenseLayer(4, Activation.Tanh), new DenseLayer(3, Activation.Identity, HasBias: false)], LossKind.SoftmaxCrossEntropy);
        using Mlp<float> loaded = Checkpoint.Load<float>(new MemoryStream(Convert.FromBase64String(Version1Fixture)), 4, expected: architecture);
        using var fresh = new Mlp<float>(architecture, new OptimizerSettings(OptimizerKind.Adam, 0.01), 1, 7);
        Assert.Equal(fresh.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(new OptimizerSettings(OptimizerKind.Adam, 0.01), loaded.Optimizer);
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(Enumerable.Range(0, loaded.ParameterCount).Select(i => 0.25f * i + s), loaded.OptimizerState(s).ToArray());
        }

        Assert.Equal((5L, 2, 7UL), (loaded.Step, loaded.Epoch, loaded.Seed));
    }

    /// <summary>A stream that cannot seek (a pipe, a socket) loads like a file; it used to be refused.</summary>
    [Fact]
    public void A_non_seekable_stream_loads_and_its_truncations_are_rejected()
    {
        byte[] bytes = Convert.FromBase64String(Version1Fixture);
        using (Mlp<float> loaded = Checkpoint.Load<float>(new ForwardOnlyStream(bytes), 4))
        {
            Assert.Equal(5L, loaded.Step);
        }

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load<float>(new ForwardOnlyStream(bytes[..length]), 4));
        }
    }

    /// <summary>Where a round trip saves to and loads from.</summary>
    public enum Target
    {
        File,
        MemoryStream,
        NonSeekableStream,
    }

    private static readonly MlpArchitecture Small = new(
        3, [new DenseLayer(4, Activation.Tanh), new DenseLayer(3, Activation.Identity, HasBias: false)], LossKind.SoftmaxCrossEntropy);

    /// <summary>The 3-4-3 network after three steps on fixed rows, with Epoch 2: nonzero weights, optimizer state, step and epoch.</summary>
    private static Mlp<T> Trained<T>(OptimizerKind optimizer = OptimizerKind.Adam)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Mlp<T>(Small, new OptimizerSettings(optimizer, 0.01), 4, 11);
        T[] x = [.. Enumerable.Range(0, 12).Select(i => T.CreateTruncating(Math.Sin(i)))];
        for (int step = 0; step < 3; step++)
        {
            network.TrainStep(x, [0, 1, 2, 1], 4);
        }

        network.Epoch = 2;
        return network;
    }

    private byte[] SaveTo<T>(Target target, Mlp<T> network, ModelInfo? info, bool includeTrainingState)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (target)
        {
            case Target.File:
                Checkpoint.Save(network, PathOf("round-trip.fbp"), info, includeTrainingState);
                return File.ReadAllBytes(PathOf("round-trip.fbp"));
            case Target.MemoryStream:
                var memory = new MemoryStream();
                Checkpoint.Save(network, memory, info, includeTrainingState);
                return memory.ToArray();
            default:
                var sink = new ForwardOnlyStream();
                Checkpoint.Save(network, sink, info, includeTrainingState);
                Assert.True(sink.CanWrite, "Save must not dispose the caller's stream");
                return sink.Written;
        }
    }

    private Mlp<T> LoadFrom<T>(Target target, byte[] bytes, out ModelInfo info)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => target switch
        {
            Target.File => Checkpoint.Load<T>(PathOf("round-trip.fbp"), 4, out info),
            Target.MemoryStream => Checkpoint.Load<T>(new MemoryStream(bytes), 4, out info),
            _ => Checkpoint.Load<T>(new ForwardOnlyStream(bytes), 4, out info),
        };

    /// <summary>
    /// A version-2 file restores the network, its info and (when saved) its training state, through a file, a
    /// MemoryStream and a stream that cannot seek, in float and double; all three write the same bytes.
    /// </summary>
    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Version_2_round_trip_restores_network_info_and_training_state(Target target, bool withInfo, bool includeTrainingState)
    {
        RoundTrip<float>(target, withInfo, includeTrainingState);
        RoundTrip<double>(target, withInfo, includeTrainingState);
    }

    public static IEnumerable<object[]> RoundTrips() =>
        from target in Enum.GetValues<Target>()
        from withInfo in new[] { false, true }
        from includeTrainingState in new[] { false, true }
        select new object[] { target, withInfo, includeTrainingState };

    private void RoundTrip<T>(Target target, bool withInfo, bool includeTrainingState)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using Mlp<T> original = Trained<T>();
        ModelInfo? info = withInfo ? ModelInfos.Full(3, 3) : null;
        byte[] bytes = SaveTo(target, original, info, includeTrainingState);
        Assert.Equal(SaveTo(Target.MemoryStream, original, info, includeTrainingState), bytes);
        using Mlp<T> loaded = LoadFrom<T>(target, bytes, out ModelInfo loadedInfo);
        Assert.Equal(original.Architecture, loaded.Architecture);
        Assert.Equal(original.Optimizer, loaded.Optimizer);
        Assert.Equal(original.Seed, loaded.Seed);
        Assert.Equal(original.Parameters.ToArray(), loaded.Parameters.ToArray());
        for (int s = 0; s < 2; s++)
        {
            Assert.NotEqual(new T[original.ParameterCount], original.OptimizerState(s).ToArray());
            Assert.Equal(includeTrainingState ? original.OptimizerState(s).ToArray() : new T[original.ParameterCount], loaded.OptimizerState(s).ToArray());
        }

        Assert.Equal(includeTrainingState ? (3L, 2) : (0L, 0), (loaded.Step, loaded.Epoch));
        ModelInfos.AssertEqual(info ?? new ModelInfo(), loadedInfo);
    }

    /// <summary>A file saved without its training state lacks exactly the state vectors (S·P·e bytes), the step (8) and the epoch (4).</summary>
    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    public void A_file_without_training_state_is_smaller_by_the_state_vectors_and_12_bytes(OptimizerKind optimizer)
    {
        SizesDiffer<float>(optimizer);
        SizesDiffer<double>(optimizer);
    }

    private void SizesDiffer<T>(OptimizerKind optimizer)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using Mlp<T> network = Trained<T>(optimizer);
        ModelInfo info = ModelInfos.Full(3, 3);
        long with = SaveTo(Target.MemoryStream, network, info, includeTrainingState: true).Length;
        long without = SaveTo(Target.MemoryStream, network, info, includeTrainingState: false).Length;
        Assert.Equal(((long)network.Optimizer.StateVectors * network.ParameterCount * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()) + 12, with - without);
    }

    /// <summary>The committed version-1 file loads into an inference model with the weights the training loader gives and an empty info.</summary>
    [Fact]
    public void A_version_1_file_loads_into_an_inference_model_with_an_empty_info()
    {
        byte[] bytes = Convert.FromBase64String(Version1Fixture);
        using Mlp<float> network = Checkpoint.Load<float>(new MemoryStream(bytes), 4, out ModelInfo info);
        using var model = InferenceModel<float>.Load(new MemoryStream(bytes));
        Assert.Equal(network.Parameters.ToArray(), model.Parameters.ToArray());
        ModelInfos.AssertEqual(new ModelInfo(), info);
        ModelInfos.AssertEqual(new ModelInfo(), model.Info);
    }

    /// <summary>The 3-4-3 Adam network with <see cref="ModelInfos.Full"/> and its training state, as a version-2 file.</summary>
    private static byte[] SmallVersion2File()
    {
        using Mlp<float> network = Trained<float>();
        var memory = new MemoryStream();
        Checkpoint.Save(network, memory, ModelInfos.Full(3, 3));
        return memory.ToArray();
    }

    /// <summary>
    /// Every truncation of a version-2 file is an InvalidDataException, from a seekable and a non-seekable stream
    /// and for the inference loader, never another exception and never an allocation sized by a field.
    /// </summary>
    [Fact]
    public void Every_truncation_of_a_version_2_file_is_rejected_without_a_large_allocation()
    {
        byte[] bytes = SmallVersion2File();
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] truncated = bytes[..length];
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load<float>(new MemoryStream(truncated), 4));
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load<float>(new ForwardOnlyStream(truncated), 4));
            Assert.Throws<InvalidDataException>(() => InferenceModel<float>.Load(new MemoryStream(truncated)));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated for a {length}-byte file");
        }
    }

    [Fact]
    public void A_flipped_bit_in_any_byte_of_a_version_2_file_is_rejected()
    {
        byte[] bytes = SmallVersion2File();
        for (int offset = 0; offset < bytes.Length; offset++)
        {
            byte[] corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x04;
            var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(corrupted));
            Assert.Contains(offset < 8 ? "not a FastBackprop checkpoint" : offset < 12 ? "format version" : "corrupted", exception.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidDataException>(() => InferenceModel<float>.Load(new MemoryStream(corrupted)));
        }
    }

    /// <summary>Where <paramref name="text"/>'s UTF-8 bytes first occur in <paramref name="bytes"/>.</summary>
    private static int IndexOf(byte[] bytes, string text)
    {
        int index = bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text));
        Assert.True(index >= 0, text);
        return index;
    }

    /// <summary>
    /// Files with a correct checksum but one bad field in the version-2 part (the small file's layout: flags at 16,
    /// F at 124, means at 128, scales at 152, C at 176, then the names "cat", "café", "猫🐈", then M and the keys
    /// "", "alpha", "bravo", …) are rejected, the message naming the problem, without a large allocation.
    /// </summary>
    [Theory]
    [InlineData("flags", "sets unknown flag bits 0x00000002")]
    [InlineData("feature count", "declares an input scaling of 2 features for a network of 3 inputs")]
    [InlineData("feature count huge", "declares an input scaling of 2147483647 features for a network of 3 inputs")]
    [InlineData("NaN mean", "invalid input scaling: mean[1] is NaN")]
    [InlineData("zero scale", "invalid input scaling: scale[2] is 0")]
    [InlineData("class count", "declares 2 class names; its 3 outputs take 3 classes")]
    [InlineData("name length int.MaxValue", "declares class name 1 as 2147483647 bytes")]
    [InlineData("name length beyond the end", "declares class name 1 as 4000 bytes, beyond the 4096 the class-name limit allows or the")]
    [InlineData("invalid UTF-8", "has a class name 1 that is not valid UTF-8")]
    [InlineData("metadata count", "declares 2147483647 metadata entries")]
    [InlineData("key length int.MaxValue", "declares metadata key 1 as 2147483647 bytes")]
    [InlineData("unsorted keys", "has metadata key 2 that sorts before key 1")]
    [InlineData("repeated keys", "has metadata key 2 that repeats key 1")]
    public void A_valid_checksum_over_a_bad_info_field_is_rejected_naming_it(string field, string problem)
    {
        byte[] hostile = SmallVersion2File();
        Span<byte> file = hostile;
        int metadataCount = IndexOf(hostile, "猫🐈") + 7;
        switch (field)
        {
            case "flags":
                BinaryPrimitives.WriteInt32LittleEndian(file[16..], 3);
                break;
            case "feature count":
                BinaryPrimitives.WriteInt32LittleEndian(file[124..], 2);
                break;
            case "feature count huge":
                BinaryPrimitives.WriteInt32LittleEndian(file[124..], int.MaxValue);
                break;
            case "NaN mean":
                BinaryPrimitives.WriteDoubleLittleEndian(file[(128 + 8)..], double.NaN);
                break;
            case "zero scale":
                BinaryPrimitives.WriteDoubleLittleEndian(file[(152 + 16)..], 0);
                break;
            case "class count":
                BinaryPrimitives.WriteInt32LittleEndian(file[176..], 2);
                break;
            case "name length int.MaxValue":
                BinaryPrimitives.WriteInt32LittleEndian(file[(IndexOf(hostile, "café") - 4)..], int.MaxValue);
                break;
            case "name length beyond the end":
                BinaryPrimitives.WriteInt32LittleEndian(file[(IndexOf(hostile, "café") - 4)..], 4000);
                break;
            case "invalid UTF-8":
                file[IndexOf(hostile, "café") + 3] = 0xFF;
                break;
            case "metadata count":
                BinaryPrimitives.WriteInt32LittleEndian(file[metadataCount..], int.MaxValue);
                break;
            case "key length int.MaxValue":
                BinaryPrimitives.WriteInt32LittleEndian(file[(IndexOf(hostile, "alpha") - 4)..], int.MaxValue);
                break;
            case "unsorted keys":
                "delta"u8.CopyTo(file[IndexOf(hostile, "alpha")..]);
                break;
            default:
                "alpha"u8.CopyTo(file[IndexOf(hostile, "bravo")..]);
                break;
        }

        hostile = WithValidChecksum(hostile);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<InvalidDataException>(() => Checkpoint.Load<float>(new MemoryStream(hostile), 4, sourceName: "hostile.fbp"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith("hostile.fbp ", exception.Message, StringComparison.Ordinal);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated");
        Assert.Contains(problem, Assert.Throws<InvalidDataException>(() => InferenceModel<float>.Load(new MemoryStream(hostile))).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Metadata of exactly MaxMetadataBytes (8 + 1 + value bytes) saves and loads; a file whose value is one byte
    /// longer, with a valid checksum, is rejected as beyond the limit (Save refuses to write it).
    /// </summary>
    [Fact]
    public void Metadata_up_to_the_limit_loads_and_one_byte_beyond_it_is_rejected()
    {
        using Mlp<float> network = Trained<float>();
        string value = new('v', Checkpoint.MaxMetadataBytes - 9);
        var memory = new MemoryStream();
        Checkpoint.Save(network, memory, new ModelInfo { Metadata = new Dictionary<string, string> { ["k"] = value } });
        byte[] bytes = memory.ToArray();
        using (Checkpoint.Load<float>(new MemoryStream(bytes), 4, out ModelInfo info))
        {
            Assert.Equal(value, info.Metadata["k"]);
        }

        var beyond = new ModelInfo { Metadata = new Dictionary<string, string> { ["k"] = value + "v" } };
        Assert.Equal("info", Assert.Throws<ArgumentException>(() => Checkpoint.Save(network, new MemoryStream(), beyond)).ParamName);

        int valueStart = IndexOf(bytes, "vvvv");
        byte[] hostile = [.. bytes[..valueStart], (byte)'v', .. bytes[valueStart..]];
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(valueStart - 4), value.Length + 1);
        var exception = Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(hostile)));
        Assert.Contains($"declares metadata value 0 as {value.Length + 1} bytes, beyond the {value.Length} the metadata limit allows", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An info that does not fit the network (scaling of 2 features for 3 inputs, 2 class names for 3 classes, a
    /// lone surrogate UTF-8 cannot store) throws ArgumentException naming info before any byte is written: the
    /// previous file is byte-identical, no temporary is left, a stream gets nothing.
    /// </summary>
    [Fact]
    public void Save_with_an_info_that_does_not_fit_throws_naming_info_and_writes_nothing()
    {
        using Mlp<float> network = Trained<float>();
        Checkpoint.Save(network, PathOf("previous.fbp"), ModelInfos.Full(3, 3));
        byte[] previous = File.ReadAllBytes(PathOf("previous.fbp"));
        network.Epoch = 5;
        ModelInfo[] bad =
        [
            new() { Scaling = new InputScaling([0, 0], [1, 1]) },
            new() { ClassNames = ["a", "b"] },
            new() { ClassNames = ["a", "b", "\ud800"] },
            new() { Metadata = new Dictionary<string, string> { ["key"] = "\udc00" } },
        ];
        foreach (ModelInfo info in bad)
        {
            Assert.Equal("info", Assert.Throws<ArgumentException>(() => Checkpoint.Save(network, PathOf("previous.fbp"), info)).ParamName);
            var stream = new MemoryStream();
            Assert.Equal("info", Assert.Throws<ArgumentException>(() => Checkpoint.Save(network, stream, info)).ParamName);
            Assert.Equal(0, stream.Length);
        }

        Assert.Equal(previous, File.ReadAllBytes(PathOf("previous.fbp")));
        Assert.Equal(new[] { "previous.fbp" }, Directory.GetFiles(_directory).Select(System.IO.Path.GetFileName));
    }
}
