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
        byte[] version = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(version.AsSpan(8), 2);
        Assert.Contains("format version 2", Assert.Throws<InvalidDataException>(() => LoadBytes(WithValidChecksum(version))).Message, StringComparison.Ordinal);
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

    /// <summary>Sizes a hostile file claims (with a valid checksum) are checked against its length before any allocation they would size.</summary>
    [Theory]
    [InlineData(20, int.MaxValue)]
    [InlineData(20, 1 << 30)]
    [InlineData(16, int.MaxValue)]
    [InlineData(24, int.MaxValue)]
    [InlineData(24, -5)]
    [InlineData(44, 1 << 30)]
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
        // Header 24 + 2 layers × 20 + 4 + 4 + 40 + 8 + 8 + 4 = 132: the parameter count follows.
        byte[] hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(132), int.MaxValue);
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
        // Layer 0's α is the float64 at 24 + 12.
        byte[] hostile = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(hostile.AsSpan(36), double.NaN);
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

    /// <summary>Reads a byte array front to back and cannot seek or tell its length.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
