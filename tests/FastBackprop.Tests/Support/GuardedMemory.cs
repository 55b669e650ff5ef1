using System.Runtime.InteropServices;

namespace FastBackprop.Tests.Support;

/// <summary>
/// Elements of T between two inaccessible pages (Linux mmap + mprotect): a kernel that reads or writes one element
/// past either end of <see cref="Span"/> on the flush side faults, and the test host dies with SIGSEGV, which fails
/// the run. The span sits flush against the page after it, or with <c>flushWithStart</c> against the page before it.
/// </summary>
internal sealed unsafe class GuardedMemory<T> : IDisposable
    where T : unmanaged
{
    private readonly byte* _mapping;
    private readonly nuint _mappingBytes;
    private readonly T* _start;
    private readonly int _length;

    public GuardedMemory(int length, bool flushWithStart)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        nuint dataBytes = (((nuint)length * (nuint)sizeof(T)) + page - 1) / page * page;
        _mappingBytes = dataBytes + (2 * page);
        _mapping = (byte*)Pages.Map(null, _mappingBytes, Pages.ReadWrite, Pages.PrivateAnonymous, -1, 0);
        if ((nint)_mapping == -1)
        {
            throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        if (Pages.Protect(_mapping, page, Pages.None) != 0 || Pages.Protect(_mapping + page + dataBytes, page, Pages.None) != 0)
        {
            throw new InvalidOperationException($"mprotect failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        _length = length;
        _start = flushWithStart ? (T*)(_mapping + page) : (T*)(_mapping + page + dataBytes) - length;
    }

    /// <summary>Guard pages need mmap and mprotect with Linux's flag values.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public Span<T> Span => new(_start, _length);

    public void Dispose() => _ = Pages.Unmap(_mapping, _mappingBytes);
}

/// <summary>Linux's mmap, mprotect and munmap, with the flag values of Linux on x64 and arm64.</summary>
internal static unsafe partial class Pages
{
    public const int None = 0;
    public const int ReadWrite = 3;
    public const int PrivateAnonymous = 0x02 | 0x20;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Map(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Protect(void* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Unmap(void* address, nuint length);
}
