namespace FastBackprop.Training;

/// <summary>
/// CRC-32 as in zlib, PNG and Ethernet (reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF),
/// the checksum closing a checkpoint file. Check value: CRC-32 of the ASCII bytes "123456789" is 0xCBF43926.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The running register before any byte: pass it to <see cref="Append"/>, finish with <see cref="Finish"/>.</summary>
    public const uint Initial = 0xFFFFFFFFu;

    /// <summary>Feeds <paramref name="data"/> into the register <paramref name="crc"/>, one table lookup per byte.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        foreach (byte b in data)
        {
            crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>The checksum of everything fed into the register.</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The checksum of <paramref name="data"/> alone.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
