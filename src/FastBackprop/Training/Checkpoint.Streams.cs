using System.Buffers;
using System.Buffers.Binary;

namespace FastBackprop.Training;

public static partial class Checkpoint
{
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

        /// <summary>A string as its int32 byte length, then its UTF-8 bytes.</summary>
        public void WriteString(ReadOnlySpan<byte> utf8)
        {
            WriteInt32(utf8.Length);
            Write(utf8);
        }
    }

    /// <summary>
    /// Reads fields of a seekable stream while tracking how many bytes are left before the trailing checksum, so
    /// that every size a file declares is checked against the bytes it actually has.
    /// </summary>
    private sealed class BoundedReader : IDisposable
    {
        private readonly Stream _stream;
        private readonly MemoryStream? _copy;
        private readonly string _sourceName;
        private readonly long _end;

        private BoundedReader(Stream stream, MemoryStream? copy, string sourceName)
        {
            _stream = stream;
            _copy = copy;
            _sourceName = sourceName;
            _end = stream.Length - TrailerBytes;
        }

        /// <summary>
        /// A reader of <paramref name="stream"/> from position 0; a non-seekable stream is first copied to its end
        /// into memory, which grows with the bytes that arrive, never with a size the file declares.
        /// </summary>
        public static BoundedReader Open(Stream stream, string sourceName)
        {
            if (stream.CanSeek)
            {
                return new BoundedReader(stream, null, sourceName);
            }

            var copy = new MemoryStream();
            try
            {
                stream.CopyTo(copy);
                copy.Position = 0;
                return new BoundedReader(copy, copy, sourceName);
            }
            catch
            {
                copy.Dispose();
                throw;
            }
        }

        public long Remaining => _end - _stream.Position;

        public InvalidDataException Invalid(string problem) => new($"{_sourceName} {problem}.");

        public void Read(Span<byte> destination)
        {
            if (destination.Length > Remaining)
            {
                throw Invalid($"is truncated: {destination.Length} more bytes needed at offset {_stream.Position}, {Math.Max(Remaining, 0)} left");
            }

            _stream.ReadExactly(destination);
        }

        /// <summary>Moves past <paramref name="bytes"/> bytes (already covered by the checksum) without reading them.</summary>
        public void Skip(long bytes)
        {
            if (bytes > Remaining)
            {
                throw Invalid($"is truncated: {bytes} more bytes needed at offset {_stream.Position}, {Math.Max(Remaining, 0)} left");
            }

            _stream.Position += bytes;
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

        /// <summary>
        /// A string's int32 byte length, checked against <paramref name="maxBytes"/> (what <paramref name="limit"/>
        /// still allows) and the bytes left before anything is allocated, then its bytes (decoded by the caller).
        /// </summary>
        public byte[] ReadString(long maxBytes, string what, string limit)
        {
            int length = ReadInt32();
            if (length < 0 || length > maxBytes || length > Remaining)
            {
                throw Invalid($"declares {what} as {length} bytes, beyond the {maxBytes} the {limit} allows or the {Math.Max(Remaining, 0)} bytes left");
            }

            byte[] bytes = new byte[length];
            Read(bytes);
            return bytes;
        }

        /// <summary>Compares the CRC-32 of bytes [0, end − 4) with the stored one, then returns to the current position.</summary>
        public void VerifyChecksum()
        {
            long resume = _stream.Position;
            _stream.Position = 0;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                uint crc = Crc32.Initial;
                for (long left = _end; left > 0;)
                {
                    int chunk = (int)Math.Min(buffer.Length, left);
                    _stream.ReadExactly(buffer, 0, chunk);
                    crc = Crc32.Append(crc, buffer.AsSpan(0, chunk));
                    left -= chunk;
                }

                _stream.ReadExactly(buffer, 0, TrailerBytes);
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

            _stream.Position = resume;
        }

        /// <summary>Frees the in-memory copy of a non-seekable stream; a seekable stream stays the caller's.</summary>
        public void Dispose() => _copy?.Dispose();
    }
}
