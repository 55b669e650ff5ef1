using System.Globalization;

namespace FastBackprop.Train;

/// <summary>The checks an output file gets before any work starts, so that a long run never ends in a failed write.</summary>
internal static class OutputPaths
{
    /// <summary>
    /// Throws <see cref="UsageException"/> unless <paramref name="path"/> can be written: not a directory, in a
    /// directory that exists and that takes a new file (tried by creating and deleting an empty probe file beside
    /// the target, as the atomic save's temporary file will be).
    /// </summary>
    public static void RequireWritable(string? path, string option)
    {
        if (path is null)
        {
            return;
        }

        if (path.Length == 0)
        {
            throw new UsageException($"{option} needs a file name.");
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} {path} is a directory; give a file name.");
        }

        string directory = Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"{option} {path}: directory {directory} does not exist.");
        }

        string probe = Path.Combine(directory, $".train-probe.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Random.Shared.Next():x8}.tmp");
        try
        {
            File.Open(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path}: cannot create a file in {directory} ({exception.Message}).");
        }
    }

    /// <summary>Throws <see cref="UsageException"/> when two of the named files are one.</summary>
    public static void RequireDistinct(params (string? Path, string Option)[] files)
    {
        for (int i = 0; i < files.Length; i++)
        {
            for (int j = i + 1; j < files.Length; j++)
            {
                if (files[i].Path is { } a && files[j].Path is { } b && Path.GetFullPath(a) == Path.GetFullPath(b))
                {
                    throw new UsageException($"{files[i].Option} and {files[j].Option} name the same file {a}.");
                }
            }
        }
    }

    /// <summary>
    /// Writes a file atomically: the text goes to a temporary file beside it (named apart from the target, so any
    /// legal target name works), flushed to disk and then renamed over it.
    /// </summary>
    public static void WriteAtomically(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".train.{Random.Shared.NextInt64():x16}.tmp");
        try
        {
            using (var writer = new StreamWriter(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                write(writer);
                writer.Flush();
                ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
