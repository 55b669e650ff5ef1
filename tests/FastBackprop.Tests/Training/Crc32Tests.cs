using FastBackprop.Training;

namespace FastBackprop.Tests.Training;

public class Crc32Tests
{
    [Fact]
    public void Check_value_of_123456789_is_CBF43926()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Appending_in_pieces_equals_one_pass()
    {
        byte[] data = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 31 + 7))];
        uint crc = Crc32.Initial;
        crc = Crc32.Append(crc, data.AsSpan(0, 333));
        crc = Crc32.Append(crc, data.AsSpan(333));
        Assert.Equal(Crc32.Compute(data), Crc32.Finish(crc));
    }
}
