namespace FastBackprop.GradCheck.Cli;

/// <summary>Bad usage found after parsing (an unknown kernel, a path the CPU lacks): one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
